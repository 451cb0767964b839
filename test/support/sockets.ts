import { io, type Socket } from 'socket.io-client';

/**
 * A test's socket.io clients, connected as the pages connect (websocket only, no reconnection), and
 * closed together after the test file. `connect` rejects with the server's refusal (connect_error).
 */
export class TestSockets {
  #open: Socket[] = [];

  async connect(url: string, token: string): Promise<Socket> {
    const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    this.#open.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  closeAll(): void {
    for (const s of this.#open.splice(0)) s.disconnect();
  }
}
