import { defaultOptions, down, reset, up } from './controlplane';

// `npm run cluster:up` / `cluster:down` / `tsx test/cluster/cli.ts reset`.
async function main(command: string | undefined): Promise<void> {
  const opts = defaultOptions();
  switch (command) {
    case 'up': {
      const cp = await up(opts, (line) => console.error(line));
      console.log(`KUBECONFIG=${cp.kubeconfig}`);
      console.error(`kubectl: ${cp.binDir}/kubectl   (export PATH=${cp.binDir}:$PATH)`);
      return;
    }
    case 'down':
      await down(opts);
      console.error('control plane stopped');
      return;
    case 'reset':
      await reset(opts);
      console.error(`control plane stopped and ${opts.stateDir} removed`);
      return;
    default:
      throw new Error('usage: cli.ts up|down|reset');
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
