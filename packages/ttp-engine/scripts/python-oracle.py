#!/usr/bin/env python3
# Regenerates src/fixtures/python-regex-oracle.json: what CPython's `re.search` answers for a
# fixed set of inputs against (a) the hand-written edge-case patterns below and (b) every
# pattern of the upstream rules in ../shared (stored by rule id and position, never the text).
# Run from the repository root: python3 packages/ttp-engine/scripts/python-oracle.py
import json, os, random, re, sys

import yaml  # PyYAML

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RULES = os.path.join(ROOT, '..', 'shared', 'upstream-data', 'ttp-rules')
OUT = os.path.join(ROOT, 'packages', 'ttp-engine', 'src', 'fixtures', 'python-regex-oracle.json')

EDGE = [
    r'abc', r'a|b|c', r'x(a|)y', r'(?:ab)*c', r'a{2,3}$', r'^foo', r'\bcat\b', r'(?i)HeLLo', r'a.c', r'(?s)a.c',
    r'(?m)^b$', r'a$', r'a$\n', r'(?<=x)y', r'(?<!x)y', r'a(?=b)', r'a(?!b)', r'[^a-c]+z', r'[\W\d]x', r'[^\W]x',
    r'\s+q', r'\S\s\S', r'\Aa', r'a\Z', r'\d+', r'\w+é', r'(?i)straße', r'(?i)k', r'(?i)s', r'(?i)[a-z]+\d',
    r'x{,2}y', r'x{2,}', r'a{}b', r'\{\}', r'a{1,2', r'(?P<n>ab)(?P=n)', r'(a)\1', r'\141', r'\0',
    r'\x41\u0042', r'[\x00-\x1f]', r'(?x) a b  c # comment', r'(?x)[ ]x', r'(?x)a\ b', r'(?#note)abc', r'[]a]', r'[^]a]+',
    r'[a-]', r'[-a]', r'[\]]', r'\.\$\^', r'(?:)', r'(?i)(?:ab|cd)+', r'\B\w', r'\bx\B', r'(?m)x$', r'(?s).+',
    r'\D\W\S', r'[\s\S]', r'(?im)^ab$', r'\u00e9', r'é+', r'(?i)É', r'[^\s\d]+',
]
# Patterns the port rejects: Python rejects most of them too; the rest (scoped flags, atomic groups,
# possessive quantifiers, \N{...}, conditionals) Python accepts but V8 cannot express.
REJECTED = [r'(?i:x)', r'(?>a)', r'a*+', r'\N{DIGIT ONE}', r'(?(1)a|b)', r'a**', r'*a', r'(?<=a+)b', r'\q', r'[z-a]', r'(?P=u)', r'(a', r'a)', r'\8', r'x(?i)', r'{1}', r'[\d-z]']

ALPHABET = ['a', 'b', 'c', 'x', 'y', 'z', ' ', '\n', '\t', 'é', '1', '/', '-', '.', '_', '<', '>', '(', ')', '?', 'p', 'h', '$', '{', '}', '%',
            '2', 'e', 'K', 'k', '\u212a', 's', '\u017f', 'ß', 'ẞ', '\u0663', '\xa0', '\x1c', '\x85', '\u2028', '\ufeff', 'É', 'q', 'A', 'B', ']', '\\']
WORDS = ['cat ', 'wget ', 'http://', '/etc/passwd', '/etc/shadow', 'curl -O ', 'echo ', '<?php ', '> /var/www/x.php', 'sudo ', 'uname -a',
         'find / -perm -4000', 'nmap ', 'nc -zv ', 'history -c', '${jndi:ldap://', '../', '%2e%2e/', 'redis-cli config set dir ', 'ip addr',
         'id', 'whoami', ';', '|', 'python -c ', 'bash -i', 'useradd -m bob', 'crontab -e', '>> /etc/cron.d/', 'ldapsearch', 'smbclient -L',
         'FLUSHALL', 'drop database ', '.env', '.git/config', 'router-confg', 'x.cfg', 'straße', 'HELLO', 'abab', 'cdcd', '{1}', 'a{}b',
         'sqlmap/1.7', 'Nikto', '/api/v1/namespaces/default/secrets', 'DELETE /_all', 'netstat -an', 'lsb_release', 'ss -tlnp', 'w', 'last']

def inputs():
    rnd = random.Random(20260502)
    out = ['', 'a', 'abc', 'ab\n', 'b\n', 'x\ny', 'foo\nbar', 'a\n', 'K', 'ſ', '\u212a', 'ß', 'ẞ', 'é', 'É', '٣', '\xa0q', '\x1cq', '\x85q', '\u2028q', '\ufeffq']
    while len(out) < 420:
        s = ''.join(rnd.choice(ALPHABET) if rnd.random() < 0.5 else rnd.choice(WORDS) for _ in range(rnd.randint(1, 9)))
        out.append(s)
    return out

def upstream_patterns():
    found = []
    for name in sorted(os.listdir(RULES)):
        with open(os.path.join(RULES, name), encoding='utf-8') as f:
            doc = yaml.safe_load(f)
        match = doc.get('match') or {}
        if isinstance(match.get('pattern'), str):
            found.append((doc['rule_id'], 'pattern', 0, match['pattern']))
        for key in ('patterns', 'paths', 'filename_patterns'):
            for i, p in enumerate(match.get(key) or []):
                found.append((doc['rule_id'], key, i, p))
    return found

def bits(pattern, texts):
    rx = re.compile(pattern)
    return ''.join('1' if rx.search(t) else '0' for t in texts)

def main():
    texts = inputs()
    edge = [{'pattern': p, 'results': bits(p, texts)} for p in EDGE]
    invalid = []
    for p in REJECTED:
        try:
            re.compile(p)
            invalid.append({'pattern': p, 'python_accepts': True})
        except re.error:
            invalid.append({'pattern': p, 'python_accepts': False})
    upstream = [{'rule_id': r, 'key': k, 'index': i, 'results': bits(p, texts)} for (r, k, i, p) in upstream_patterns()]
    doc = {'python': sys.version.split()[0], 'inputs': texts, 'edge': edge, 'rejected': invalid, 'upstream': upstream}
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=True, indent=0)
        f.write('\n')
    print(f'wrote {OUT}: {len(texts)} inputs, {len(edge)} edge patterns, {len(upstream)} upstream patterns')

main()
