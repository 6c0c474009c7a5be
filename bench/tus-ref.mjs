// The reference server of bench/tus.sh: @tus/server with @tus/file-store, default options.
// Usage: node bench/tus-ref.mjs DIR PORT   (prints "ready" once listening on 127.0.0.1)
import http from 'node:http';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

const [dir, port] = process.argv.slice(2);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), '127.0.0.1', () => console.log('ready'));
