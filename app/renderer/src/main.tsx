import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { getConnection } from './api';
import { App } from './ui/App';

const connection = getConnection();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={connection.api} onDidDisconnect={connection.onDidDisconnect} />
  </StrictMode>,
);
