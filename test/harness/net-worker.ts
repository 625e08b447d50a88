// Piscina task for the worker-thread test: dumps, a batched change and a subscription, all inside the
// given namespace, from a worker thread (its own copy of the addon's JS exports).
import { applyOrThrow, dump, subscribe } from '../../src/netlink';

interface Task {
  netns: string;
  link: string;
  rounds: number;
}

export = async function netWorkerTask({ netns, link, rounds }: Task): Promise<{ links: number[]; created: boolean }> {
  const sub = subscribe(['link'], () => undefined, netns);
  const links: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const d = await dump(['link', 'addr', 'route', 'neigh'], { netns });
    links.push(d.link.filter((l) => l.name.startsWith('base')).length);
  }
  await applyOrThrow([[{ op: 'newlink', subject: `create link ${link}`, name: link, kind: 'ifb', up: true }]], netns);
  const created = (await dump(['link'], { netns })).link.some((l) => l.name === link);
  await applyOrThrow([[{ op: 'dellink', subject: `delete link ${link}`, name: link }]], netns);
  sub.close();
  return { links, created };
};
