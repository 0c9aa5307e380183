// The Linux distributions a decky's base container can run, and the hostname style each one
// implies. Service containers build on `buildBase` (apt-based images only).
import type { Rng } from '../random.js';

/** How a distro's machines are usually named. */
export type HostnameStyle = 'generic' | 'rhel' | 'minimal' | 'rolling';

/** One base distribution. */
export interface DistroDef {
  readonly slug: string;
  readonly displayName: string;
  /** Image reference without a digest, e.g. `debian:bookworm-slim`. */
  readonly image: string;
  /**
   * The pinned `sha256:` digest, or null while it is not known here. Upstream pins every image by
   * digest; only shortened digests reached this port, so they are left unpinned rather than
   * invented. {@link distroImageRef} appends the digest when there is one.
   */
  readonly digest: string | null;
  readonly hostnameStyle: HostnameStyle;
  /** Slug of the distro whose image service containers build on (non-apt images use debian). */
  readonly buildBase: string;
}

/** Every distro, in catalog order (the order fleets cycle through). */
export const DISTROS: readonly DistroDef[] = [
  { slug: 'debian', displayName: 'Debian 12 (Bookworm)', image: 'debian:bookworm-slim', digest: null, hostnameStyle: 'generic', buildBase: 'debian' },
  { slug: 'ubuntu22', displayName: 'Ubuntu 22.04 LTS (Jammy)', image: 'ubuntu:22.04', digest: null, hostnameStyle: 'generic', buildBase: 'ubuntu22' },
  { slug: 'ubuntu20', displayName: 'Ubuntu 20.04 LTS (Focal)', image: 'ubuntu:20.04', digest: null, hostnameStyle: 'generic', buildBase: 'ubuntu20' },
  { slug: 'rocky9', displayName: 'Rocky Linux 9', image: 'rockylinux:9-minimal', digest: null, hostnameStyle: 'rhel', buildBase: 'debian' },
  { slug: 'centos7', displayName: 'CentOS 7', image: 'centos:7', digest: null, hostnameStyle: 'rhel', buildBase: 'debian' },
  { slug: 'alpine', displayName: 'Alpine Linux 3.19', image: 'alpine:3.19', digest: null, hostnameStyle: 'minimal', buildBase: 'debian' },
  { slug: 'fedora', displayName: 'Fedora 39', image: 'fedora:39', digest: null, hostnameStyle: 'rhel', buildBase: 'debian' },
  { slug: 'kali', displayName: 'Kali Linux (Rolling)', image: 'kalilinux/kali-rolling', digest: null, hostnameStyle: 'rolling', buildBase: 'kali' },
  { slug: 'arch', displayName: 'Arch Linux', image: 'archlinux:latest', digest: null, hostnameStyle: 'rolling', buildBase: 'debian' },
];

const BY_SLUG = new Map(DISTROS.map((d) => [d.slug, d]));

/** The distro with this slug, or undefined. */
export function getDistro(slug: string): DistroDef | undefined {
  return BY_SLUG.get(slug);
}

/** The image reference to run: `image@digest` when pinned, else `image`. */
export function distroImageRef(d: DistroDef): string {
  return d.digest ? `${d.image}@${d.digest}` : d.image;
}

/** The image reference service containers of a decky on `d` build on (its `buildBase`). */
export function buildBaseImageRef(d: DistroDef): string {
  return distroImageRef(getDistro(d.buildBase) ?? d);
}

/** The image every MazeNET topology base container runs (topology deckies ignore distros). */
export const TOPOLOGY_BASE_DISTRO = 'debian';

/** Words hostnames are made of. */
export const HOSTNAME_WORDS = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike',
  'nova', 'oscar', 'prod', 'web', 'db', 'mail', 'proxy', 'dev', 'stage', 'backup', 'monitor', 'files',
] as const;

/**
 * A hostname in the style of `distro` (an unknown distro uses the generic style):
 * generic `SRV-WORD-nn`, rhel `wordnn.localdomain`, minimal `word-nn`, rolling `word-word2`.
 */
export function generateHostname(distro: string, rng: Rng): string {
  const style = getDistro(distro)?.hostnameStyle ?? 'generic';
  const word = rng.choice(HOSTNAME_WORDS);
  switch (style) {
    case 'rhel':
      return `${word}${rng.int(10, 99)}.localdomain`;
    case 'minimal':
      return `${word}-${rng.int(10, 99)}`;
    case 'rolling': {
      const others = HOSTNAME_WORDS.filter((w) => w !== word);
      return `${word}-${rng.choice(others)}`;
    }
    case 'generic':
      return `SRV-${word.toUpperCase()}-${rng.int(10, 99)}`;
  }
}
