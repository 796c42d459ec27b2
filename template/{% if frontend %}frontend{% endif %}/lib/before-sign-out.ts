// Work that must finish while the person is still signed in (the deletes still waiting for
// their Undo, components/task-list.tsx). The sign-out button awaits it first.
type Job = () => Promise<void>;

const jobs = new Set<Job>();

/** Run `job` before the next sign-out; returns the function that unregisters it. */
export function beforeSignOut(job: Job): () => void {
  jobs.add(job);
  return () => jobs.delete(job);
}

export async function runBeforeSignOut(): Promise<void> {
  await Promise.allSettled([...jobs].map((job) => job()));
}
