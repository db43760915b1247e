// ssh2 is a CommonJS module: Node's ESM loader (the built web host and Electron main) cannot see its named
// exports, so every value import of ssh2 goes through this default import. Types may still be imported directly.
import ssh2 from 'ssh2';

export const { Client, Server, utils } = ssh2;
