// Per-service profiles (from ServiceProfile resources) by fully qualified name, with watchers: what
// GetProfile streams. Platforms replace the whole set; watchers hear about the names that changed.

export interface ProfileView {
  /** e.g. web.emojivoto.svc.cluster.local */
  readonly fullyQualifiedName: string;
  readonly opaquePorts: readonly number[];
  readonly routes: readonly { name: string; method?: string; pathRegex?: string }[];
}

export type ProfileWatcher = (profile: ProfileView | undefined) => void;

export class ProfileIndex {
  private profiles = new Map<string, ProfileView>();
  private readonly watchers = new Map<string, Set<ProfileWatcher>>();

  replaceAll(profiles: readonly ProfileView[]): void {
    const next = new Map(profiles.map((p) => [p.fullyQualifiedName, p]));
    const changed = new Set<string>();
    for (const [name, p] of next) if (JSON.stringify(this.profiles.get(name)) !== JSON.stringify(p)) changed.add(name);
    for (const name of this.profiles.keys()) if (!next.has(name)) changed.add(name);
    this.profiles = next;
    for (const name of changed) for (const w of this.watchers.get(name) ?? []) w(next.get(name));
  }

  get(fullyQualifiedName: string): ProfileView | undefined {
    return this.profiles.get(fullyQualifiedName);
  }

  /** Sends the current profile (or undefined) now, then each change. */
  watch(fullyQualifiedName: string, watcher: ProfileWatcher): () => void {
    let set = this.watchers.get(fullyQualifiedName);
    if (!set) this.watchers.set(fullyQualifiedName, (set = new Set()));
    set.add(watcher);
    watcher(this.profiles.get(fullyQualifiedName));
    return () => {
      set.delete(watcher);
      if (set.size === 0) this.watchers.delete(fullyQualifiedName);
    };
  }
}

/** `web.emojivoto.svc:80` -> `web.emojivoto.svc.cluster.local`, the name ServiceProfiles use. */
export function fullyQualified(host: string): string {
  return host.endsWith('.svc') ? `${host}.cluster.local` : host;
}
