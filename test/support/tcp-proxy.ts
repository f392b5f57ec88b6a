import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a service (here the Firestore emulator), for fault
 * injection: `pass` forwards, `drop` resets every connection (open ones too) and refuses new
 * ones, `blackhole` is a cut network: nothing gets through, but like TCP it loses nothing, and
 * what was held goes through once the network is back. `delayMs` slows every chunk.
 * The upstream can be moved (an emulator restarted on another port) without the client noticing.
 */
export type ProxyMode = 'pass' | 'drop' | 'blackhole';

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  mode: ProxyMode = 'pass';
  delayMs = 0;

  constructor(private upstream: string) {}

  async start(): Promise<string> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setUpstream(upstream: string): void {
    this.upstream = upstream;
  }

  private readonly held: (() => void)[] = [];

  /** Switches mode: `drop` resets every open connection; back to `pass`, what a blackhole held goes through. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'drop') for (const socket of this.sockets) socket.destroy();
    if (mode === 'pass') for (const release of this.held.splice(0)) release();
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.mode === 'drop') return void client.destroy();
    if (this.mode === 'blackhole') {
      client.pause();
      this.held.push(() => {
        client.resume();
        this.forward(client);
      });
      return;
    }
    this.forward(client);
  }

  private forward(client: Socket): void {
    if (client.destroyed) return;
    const [host, port] = this.upstream.split(':');
    const server = connect(Number(port), host ?? '127.0.0.1');
    this.sockets.add(server);
    server.on('close', () => {
      this.sockets.delete(server);
      client.destroy();
    });
    server.on('error', () => server.destroy());
    client.on('close', () => server.destroy());
    this.pipe(client, server);
    this.pipe(server, client);
  }

  private pipe(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        if (this.delayMs > 0) setTimeout(() => to.writable && to.write(chunk), this.delayMs);
        else if (to.writable) to.write(chunk);
      };
      if (this.mode === 'blackhole') this.held.push(send);
      else send();
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
