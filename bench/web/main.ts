window.hfBenchReady = true;
