// Canary fingerprint lifters (R0049–R0053): automation tells in the browser fingerprint a canary
// page collected — webdriver flag, known automation hashes, WebRTC and timezone/language
// geography mismatches, platform/user-agent/WebGL inconsistencies.
import { booleanParam, firstStr, num, str, stringList, stringListParam, truthy, type Lifter } from './lifter.js';

/** R0049: `navigator.webdriver === true`. */
export const webdriver: Lifter<Record<string, never>> = {
  name: 'canary_webdriver',
  family: 'canary',
  kinds: ['canary_fingerprint'],
  compile: () => ({}),
  evaluate(_p, payload) {
    if (!truthy(payload, 'navigator_webdriver') && !truthy(payload, 'webdriver')) return undefined;
    return { evidence: { navigator_webdriver: true, ua_signature: str(payload, 'ua_signature') } };
  },
};

/** R0050: a canvas/audio/WebGL hash the producer matched to an automation tool in the catalogues. */
export const automationHash: Lifter<{ catalogues: ReadonlySet<string> }> = {
  name: 'canary_automation_hash',
  family: 'canary',
  kinds: ['canary_fingerprint'],
  compile: (m) => ({ catalogues: new Set(stringListParam(m, 'catalogues', ['puppeteer', 'playwright', 'selenium', 'curl_impersonate'])) }),
  evaluate(p, payload) {
    const tool = str(payload, 'matched_tool')?.toLowerCase().replace(/[\s-]+/g, '_');
    if (tool === undefined || !p.catalogues.has(tool)) return undefined;
    return {
      evidence: {
        canvas_hash: str(payload, 'canvas_hash'),
        audio_hash: str(payload, 'audio_hash'),
        webgl_hash: str(payload, 'webgl_hash'),
        matched_tool: tool,
      },
    };
  },
};

/** R0051: WebRTC leaked an address whose country differs from the source address's. */
export const webrtcLeak: Lifter<{ requireGeoMismatch: boolean }> = {
  name: 'canary_webrtc_leak',
  family: 'canary',
  kinds: ['canary_fingerprint'],
  compile: (m) => ({ requireGeoMismatch: booleanParam(m, 'require_geo_mismatch', true) }),
  evaluate(p, payload) {
    const leaked = firstStr(payload, ['webrtc_local_ip', 'webrtc_ip']);
    if (leaked === undefined) return undefined;
    const source = str(payload, 'source_country')?.toUpperCase();
    const leak = str(payload, 'leak_country')?.toUpperCase();
    if (p.requireGeoMismatch && (source === undefined || leak === undefined || source === leak)) return undefined;
    return { evidence: { webrtc_local_ip: leaked, source_ip: str(payload, 'source_ip'), source_country: source, leak_country: leak } };
  },
};

/** Timezones seen across one visitor's fingerprints at or above which it is rotating them. */
const TIMEZONE_ROTATION = 3;

/** R0052: three or more timezones, or a browser language region that differs from the source country. */
export const tzLangMismatch: Lifter<Record<string, never>> = {
  name: 'canary_tz_lang_mismatch',
  family: 'canary',
  kinds: ['canary_fingerprint'],
  compile: () => ({}),
  evaluate(_p, payload) {
    const zones = new Set(stringList(payload, 'browser_timezones'));
    const zoneCount = Math.max(zones.size, num(payload, 'timezone_count') ?? 0);
    const country = str(payload, 'source_country')?.toUpperCase();
    const language = str(payload, 'browser_language');
    const region = language ? /^[A-Za-z]{2,3}[-_]([A-Za-z]{2})\b/.exec(language)?.[1]?.toUpperCase() : undefined;
    const langMismatch = region !== undefined && country !== undefined && region !== country;
    if (zoneCount < TIMEZONE_ROTATION && !langMismatch) return undefined;
    return {
      evidence: { browser_timezone: str(payload, 'browser_timezone') ?? [...zones][0], browser_language: language, source_country: country },
    };
  },
};

type Os = 'windows' | 'mac' | 'linux' | 'android' | 'ios';

function osFromUserAgent(ua: string): Os | undefined {
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  if (/Windows/.test(ua)) return 'windows';
  if (/Macintosh|Mac OS X/.test(ua)) return 'mac';
  if (/Linux|X11|CrOS/.test(ua)) return 'linux';
  return undefined;
}

function osFromPlatform(platform: string): Os | undefined {
  if (/^(iPhone|iPad|iPod)/.test(platform)) return 'ios';
  if (/^Win/.test(platform)) return 'windows';
  if (/^Mac/.test(platform)) return 'mac';
  // Android reports `Linux armv8l` and the like.
  if (/^Linux/.test(platform)) return 'linux';
  return undefined;
}

/** Renderers that only exist on some systems: software rasterisers are never on a real Mac or Windows desktop. */
function rendererContradicts(os: Os, renderer: string): boolean {
  if ((os === 'windows' || os === 'mac') && /SwiftShader|llvmpipe|Mesa OffScreen|softpipe/i.test(renderer)) return true;
  if (os === 'windows' && /Apple (M\d|GPU)/.test(renderer)) return true;
  if (os === 'mac' && /Direct3D|ANGLE \(.*D3D1[01]/.test(renderer)) return true;
  return false;
}

/** R0053: `navigator.platform` contradicts the user agent, or the WebGL renderer contradicts it. */
export const platformInconsistency: Lifter<Record<string, never>> = {
  name: 'canary_platform_inconsistency',
  family: 'canary',
  kinds: ['canary_fingerprint'],
  compile: () => ({}),
  evaluate(_p, payload) {
    const ua = firstStr(payload, ['user_agent', 'ua_signature']);
    if (ua === undefined) return undefined;
    const uaOs = osFromUserAgent(ua);
    if (uaOs === undefined) return undefined;
    const platform = str(payload, 'navigator_platform');
    const renderer = str(payload, 'webgl_renderer');
    const pairs: string[] = [];
    const platformOs = platform === undefined ? undefined : osFromPlatform(platform);
    if (platformOs !== undefined && platformOs !== uaOs && !(uaOs === 'android' && platformOs === 'linux')) pairs.push('platform/user_agent');
    if (renderer !== undefined && rendererContradicts(uaOs, renderer)) pairs.push('user_agent/webgl_renderer');
    if (pairs.length === 0) return undefined;
    return { evidence: { navigator_platform: platform, user_agent: ua.slice(0, 512), webgl_renderer: renderer, mismatch_pairs: pairs } };
  },
};
