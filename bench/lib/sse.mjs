// Many open event streams (GET /api/v1/jobs/{id}/events) held by raw sockets: one socket per stream,
// no HTTP client objects, so the harness holds 10,000 of them cheaply. A stream counts as open once
// its 200 status line and first `event: job` arrived; later bytes (pings) are read and dropped.
import { connect } from 'node:net';
import { pool } from './api.mjs';

function openOne(port, path, token) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let head = '';
    const fail = (err) => {
      socket.destroy();
      reject(err);
    };
    socket.setEncoding('utf8');
    socket.once('error', fail);
    socket.on('data', function first(chunk) {
      head += chunk;
      if (!head.includes('\r\n')) return;
      if (!head.startsWith('HTTP/1.1 200')) return fail(new Error(`${path}: ${head.split('\r\n')[0]}`));
      if (!head.includes('event: job')) return;
      socket.off('data', first);
      socket.off('error', fail);
      socket.on('error', () => {});
      socket.resume();
      resolve(socket);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

/** Opens one stream per entry of `streams` ({ path, token }), `concurrency` at a time. */
export async function openStreams(server, streams, concurrency = 100, onProgress) {
  const sockets = await pool(streams.length, concurrency, (i) => openOne(server.port, streams[i].path, streams[i].token), onProgress);
  return {
    count: sockets.length,
    close: () => {
      for (const s of sockets) s.destroy();
    },
  };
}
