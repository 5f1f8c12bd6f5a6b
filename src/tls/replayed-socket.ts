/**
 * A connection whose first bytes were already read (to find the TLS server name), as a Duplex a
 * TLS engine can take over: it yields those bytes again, then whatever the socket receives; what is
 * written to it goes to the socket. Closing either side closes the other.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** `socket` with `head` put back in front of its data. */
export class ReplayedSocket extends Duplex {
  readonly #socket: Socket;

  constructor(socket: Socket, head: Buffer) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}
