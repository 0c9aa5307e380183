// The IPv6 link-local leak lifter (R0059): an attacker's fe80::/10 address seen despite an
// IPv4-only path; its interface id survives VPN and address rotation.
import { firstStr, str, type Lifter } from './lifter.js';

/** fe80::/10 covers fe80:: to febf::. */
const LINK_LOCAL = /^fe[89ab][0-9a-f]:/i;

/** R0059: the leaked address is link-local. */
export const ipv6LinkLocalLeak: Lifter<Record<string, never>> = {
  name: 'ipv6_link_local_leak',
  family: 'ipv6',
  kinds: ['ipv6_leak'],
  compile: () => ({}),
  evaluate(_p, payload) {
    const addr = firstStr(payload, ['addr', 'ipv6_link_local', 'address']);
    if (addr === undefined || !LINK_LOCAL.test(addr)) return undefined;
    return {
      evidence: {
        addr,
        mac_oui: str(payload, 'mac_oui'),
        iid_kind: str(payload, 'iid_kind'),
        vector: str(payload, 'vector'),
        on_iface: str(payload, 'on_iface'),
        attacker_v4: str(payload, 'attacker_v4'),
        observed_at: str(payload, 'observed_at'),
      },
    };
  },
};
