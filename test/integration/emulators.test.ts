import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, missingEmulators, startPubsubEmulator, type Emulator } from '../../local/emulators.js';

/**
 * A port found free can be taken before the emulator binds it (under load, or by the Firestore
 * emulator's own WebSocket port). The harness then starts the emulator again on a new port
 * instead of failing the run — the cause of one refused CI run.
 */
describe.skipIf(missingEmulators().length > 0)('starting an emulator', () => {
  let squatter: Server | undefined;
  let emulator: Emulator | undefined;
  const held: Socket[] = [];
  afterAll(async () => {
    await emulator?.stop();
    // The harness's probe connected to the squatter, which never answers: drop those connections.
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => (squatter ? squatter.close(resolve) : resolve(undefined)));
  });

  it('tries a new port when the one it picked is taken before the emulator binds it', async () => {
    squatter = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => squatter?.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const picked: number[] = [];
    const pick = async () => {
      const port = picked.length === 0 ? taken : await freePort();
      picked.push(port);
      return port;
    };
    emulator = await startPubsubEmulator(pick);
    expect(picked[0]).toBe(taken);
    expect(picked).toHaveLength(2);
    expect(emulator.host).toBe(`127.0.0.1:${picked[1]}`);
    const response = await fetch(`http://${emulator.host}/`);
    expect(response.ok).toBe(true);
  });
});
