// Tool guesses: header patterns (substring, or anchored regex for curl) from every header
// encoding upstream saw, and C2 cadences as upstream's table defines them.
import { describe, expect, it } from 'vitest';
import { c2ToolsFor, headerToolsOf, headerValues, toolGuesses } from './tools.js';

describe('header tools come from the User-Agent and X-Mailer of request events', () => {
  it('reads a JSON object of headers, case-insensitively', () => {
    expect(headerToolsOf({ headers: JSON.stringify({ 'user-agent': 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None)' }) })).toEqual(['nikto']);
    expect(headerToolsOf({ headers: '{"User-Agent":"Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"}' })).toEqual(['nmap']);
  });

  it('reads a Python dict repr and a list of pairs', () => {
    expect(headerToolsOf({ headers: "{'Host': 'x', 'User-Agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)'}" })).toEqual(['sqlmap']);
    expect(headerToolsOf({ headers: JSON.stringify([['User-Agent', 'python-requests/2.31.0'], ['X-Mailer', 'gophish']]) })).toEqual([
      'python-requests',
      'gophish',
    ]);
    expect(headerValues({ 'User-Agent': ['gobuster/3.6'] }).userAgent).toEqual(['gobuster/3.6']);
  });

  it('anchors curl at the start of the User-Agent', () => {
    expect(headerToolsOf({ headers: '{"User-Agent":"curl/7.88.1"}' })).toEqual(['curl']);
    expect(headerToolsOf({ headers: '{"User-Agent":"Mozilla/5.0 libcurl/7.88"}' })).toEqual([]);
  });

  it('never throws on garbage', () => {
    for (const h of [undefined, null, 42, '', '{', '[[1,2]]', "{'User-Agent': ", '\u0000\uffff']) {
      expect(() => headerToolsOf({ headers: h })).not.toThrow();
    }
    expect(headerToolsOf({ headers: '{' })).toEqual([]);
  });
});

describe('C2 cadence guesses return every framework whose interval and jitter fit', () => {
  it('matches within the tolerances and returns all matches', () => {
    expect(c2ToolsFor(60, 0.2)).toEqual(['cobalt_strike']);
    expect(c2ToolsFor(60, 0.25)).toEqual(['cobalt_strike', 'sliver']);
    expect(c2ToolsFor(45, 0.1)).toEqual(['havoc']);
    expect(c2ToolsFor(30, 0.15)).toEqual(['mythic']);
    expect(c2ToolsFor(52, 0.2)).toEqual(['cobalt_strike']);
  });

  it('misses outside the tolerances or without statistics', () => {
    expect(c2ToolsFor(71, 0.2)).toEqual([]);
    expect(c2ToolsFor(60, 0.4)).toEqual([]);
    expect(c2ToolsFor(null, null)).toEqual([]);
    expect(c2ToolsFor(30, 0.2)).toEqual([]);
  });

  it('lists header tools first, then cadence matches, without duplicates', () => {
    expect(toolGuesses(['curl'], 60, 0.2)).toEqual(['curl', 'cobalt_strike']);
  });
});
