// Writes src/SecureGateway.Core/Policy/Licences/spdx-licences.json.gz from two pinned sources:
// - the npm package spdx-license-list (SPDX licence texts, CC0-1.0), pinned in package.json;
// - an export of SPDX's license-list-XML repository at the tag pinned in package.json
//   (config.licenseListXml.tag, with the SHA-256 of its src/ folder), given by SPDX_XML_DIR: the licence
//   exceptions (the `WITH` part of SPDX expressions) and the licences' standard headers come from there.
// Run `npm ci && SPDX_XML_DIR=/path/to/license-list-XML npm run generate` in tools/spdx (see README.md).
// The output is deterministic: entries sorted by id, gzip with a fixed header (no name, mtime 0).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, 'node_modules/spdx-license-list/package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const pinned = manifest.devDependencies['spdx-license-list'];
if (pkg.version !== pinned) {
  throw new Error(`installed spdx-license-list ${pkg.version} is not the pinned ${pinned}: run npm ci`);
}
const full = require('spdx-license-list/full');
const byOrdinal = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// --- license-list-XML ------------------------------------------------------------------------------------------
// The tag is the SPDX License List release the npm package was made from (its readme names the list version).
const { tag: xmlTag, srcSha256: xmlSha256 } = manifest.config.licenseListXml;
const xmlDir = process.env.SPDX_XML_DIR;
const getIt = `git clone --depth 1 --branch ${xmlTag} https://github.com/spdx/license-list-XML`;
if (!xmlDir) {
  throw new Error(`SPDX_XML_DIR is not set: point it at a checkout of license-list-XML ${xmlTag} (${getIt})`);
}
const xmlSrc = join(resolve(xmlDir), 'src');
if (!existsSync(join(xmlSrc, 'exceptions')) || !existsSync(join(xmlSrc, 'Apache-2.0.xml'))) {
  throw new Error(`${xmlSrc} is not license-list-XML's src folder: SPDX_XML_DIR must be a checkout of ${xmlTag} (${getIt})`);
}
// Every XML file under src/, relative path and content (line ends normalised, so a Windows checkout with
// core.autocrlf gives the same digest), hashed in ordinal order: any other tag or a local change differs.
function xmlFiles(dir, prefix = '') {
  return readdirSync(dir).sort(byOrdinal).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? xmlFiles(path, `${prefix}${name}/`)
      : name.endsWith('.xml') ? [`${prefix}${name}`] : [];
  });
}
const srcDigest = createHash('sha256');
for (const file of xmlFiles(xmlSrc)) {
  srcDigest.update(`${file}\0${readFileSync(join(xmlSrc, file), 'utf8').replace(/\r\n?/g, '\n')}\0`);
}
const digest = srcDigest.digest('hex');
if (digest !== xmlSha256) {
  throw new Error(`${xmlSrc} is not the content of license-list-XML ${xmlTag} (src/ SHA-256 ${digest}, pinned ` +
    `${xmlSha256}): check out that tag (${getIt}), or update config.licenseListXml in package.json`);
}

// A small XML reader for these files: elements, attributes, text, the five predefined entities and character
// references; comments, processing instructions, doctype and CDATA. Anything else is an error.
function parseXml(src, file) {
  const root = { name: '#document', attrs: {}, children: [] };
  const stack = [root];
  const fail = (what, at) => { throw new Error(`${file}: ${what} at offset ${at}`); };
  const decode = (text, at) => text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (m, ref) => {
    if (ref === undefined) fail('bare "&"', at);
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    const named = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[ref];
    if (named === undefined) fail(`unknown entity &${ref};`, at);
    return named;
  });
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const end = lt < 0 ? src.length : lt;
    if (end > i) stack.at(-1).children.push(decode(src.slice(i, end), i));
    if (lt < 0) break;
    const skip = [['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>'], ['<!DOCTYPE', '>']].find(([open]) => src.startsWith(open, lt));
    if (skip) {
      const close = src.indexOf(skip[1], lt + skip[0].length);
      if (close < 0) fail(`unterminated ${skip[0]}`, lt);
      if (skip[0] === '<![CDATA[') stack.at(-1).children.push(src.slice(lt + skip[0].length, close));
      i = close + skip[1].length;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(src);
    if (!m) fail('malformed tag', lt);
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      if (attrText || selfClosing || stack.length === 1 || stack.at(-1).name !== name) fail(`unexpected </${name}>`, lt);
      stack.pop();
    } else {
      const attrs = {};
      for (const [, key, dq, sq] of attrText.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attrs[key] = decode(dq ?? sq, lt);
      }
      const node = { name, attrs, children: [] };
      stack.at(-1).children.push(node);
      if (!selfClosing) stack.push(node);
    }
    i = tag.lastIndex;
  }
  if (stack.length !== 1) fail(`<${stack.at(-1).name}> not closed`, src.length);
  return root;
}

function* elements(node, name) {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) yield child;
    yield* elements(child, name);
  }
}

// The plain text of license-list-XML markup, in the spirit of SPDX's own text output (which spdx-license-list
// carries): paragraphs (<p>, titles, copyright lines, lists) separated by a blank line; line breaks of the XML,
// <br/> and each list <item> start a line, an item's <bullet> kept at its start; <alt> (a variable part) and
// <optional> (text copies may leave out) give their text, the original wording. Lines are trimmed, whitespace
// runs in them become one space, blank lines inside a paragraph are dropped. (Keeping the XML's lines keeps a
// header's "Copyright (c) YEAR YOUR NAME" on a line of its own, as in the files that carry it.)
const blockElements = new Set(['p', 'list', 'titleText', 'copyrightText', 'standardLicenseHeader', 'text']);
const skippedElements = new Set(['crossRefs', 'notes', 'obsoletedBys']);
function plainText(node) {
  const paragraphs = [];
  let lines = [];
  let line = '';
  let pending = null; // null, 'line' or 'block': the break to make before the next text
  let afterBullet = false; // a bullet stays on the line of its item's text
  const endLine = () => { if (line.trim()) lines.push(line.replace(/ +/g, ' ').trim()); line = ''; };
  const endParagraph = () => { endLine(); if (lines.length) paragraphs.push(lines.join('\n')); lines = []; };
  const brk = kind => {
    if (afterBullet) return;
    if (kind === 'block' || pending === null) pending = kind;
  };
  const text = t => t.split('\n').forEach((part, i) => {
    if (i > 0) brk('line');
    const collapsed = part.replace(/\s+/g, ' ');
    if (!collapsed.trim()) { line += collapsed; return; }
    if (pending === 'block') endParagraph(); else if (pending === 'line') endLine();
    pending = null;
    afterBullet = false;
    line += collapsed;
  });
  const walk = n => {
    for (const child of n.children) {
      if (typeof child === 'string') { text(child); continue; }
      if (skippedElements.has(child.name)) continue;
      if (child.name === 'br') { brk('line'); continue; }
      if (child.name === 'bullet') {
        brk('line');
        walk(child);
        text(' ');
        afterBullet = true;
        continue;
      }
      const kind = blockElements.has(child.name) ? 'block' : child.name === 'item' ? 'line' : null;
      if (kind) brk(kind);
      walk(child);
      if (kind) brk(kind);
    }
  };
  walk(node);
  endParagraph();
  return paragraphs.join('\n\n');
}

const readXml = file => parseXml(readFileSync(join(xmlSrc, file), 'utf8'), file);
const isDeprecated = el => 'deprecatedVersion' in el.attrs || el.attrs.isDeprecated === 'true';

// Exceptions: every current one, with its text.
const exceptions = [];
for (const file of readdirSync(join(xmlSrc, 'exceptions')).filter(f => f.endsWith('.xml')).sort(byOrdinal)) {
  const [exception, ...more] = elements(readXml(`exceptions/${file}`), 'exception');
  if (!exception || more.length) throw new Error(`exceptions/${file}: expected one <exception>`);
  const id = exception.attrs.licenseId;
  if (`${id}.xml` !== file) throw new Error(`exceptions/${file}: licenseId is ${id}`);
  if (isDeprecated(exception)) continue;
  const [textElement] = elements(exception, 'text');
  const text = textElement ? plainText(textElement) : '';
  if (!text) throw new Error(`exceptions/${file}: no text`);
  exceptions.push({ id, name: exception.attrs.name, text });
}
exceptions.sort((a, b) => byOrdinal(a.id, b.id));

// Standard headers: the notice a licence asks to put in each file (Apache-2.0's "Licensed under the Apache
// License, Version 2.0 ...", the GPL family's "This program is free software ..."). A licence with several
// (MPL-2.0-no-copyleft-exception: Exhibits A and B) gets them as paragraphs of one text. A header is kept when
// it has real words besides the copyright line (some are empty or only "Copyright [yyyy] [name]").
function standardHeader(id) {
  const file = `${id}.xml`;
  if (!existsSync(join(xmlSrc, file))) {
    throw new Error(`${file} not in license-list-XML ${xmlTag}: is it the list version spdx-license-list ${pkg.version} was made from?`);
  }
  const [licence] = elements(readXml(file), 'license');
  if (!licence || licence.attrs.licenseId !== id) throw new Error(`${file}: expected <license licenseId="${id}">`);
  if (isDeprecated(licence)) return null;
  const text = [...elements(licence, 'standardLicenseHeader')].map(plainText).filter(Boolean).join('\n\n');
  const notice = /^copyright\b[^\n]*?(?:(?<=\.)(?= +\p{Lu}\p{Ll})|$)/gimu; // to a sentence end or the line end
  const words = text.replace(notice, '').match(/\p{L}{2,}/gu) ?? [];
  return words.length >= 5 ? text : null;
}

// Deprecated aliases carry the same text as their successors: "GPL-2.0+" (now "-or-later") and "GPL-2.0"
// (now "-only"). Leave them out so a match is always reported with the current id.
const ids = Object.keys(full).sort(byOrdinal).filter(id =>
  full[id].licenseText && !id.endsWith('+') && !(`${id}-only` in full));

// Licences that share one text become one entry. The id reported is the "-only" form when the group has
// one (the detector switches to orLater when the file itself grants "any later version"), else the
// shortest id (MPL-2.0 over MPL-2.0-no-copyleft-exception, whose difference is in the notice, not the text).
const groups = new Map();
for (const id of ids) {
  const text = full[id].licenseText.replace(/\r\n?/g, '\n');
  if (!groups.has(text)) groups.set(text, []);
  groups.get(text).push(id);
}
const entries = [];
for (const [text, group] of groups) {
  const byLength = [...group].sort((a, b) => a.length - b.length || byOrdinal(a, b));
  const id = byLength.find(x => x.endsWith('-only')) ?? byLength[0];
  const orLater = id.endsWith('-only') && group.includes(id.replace(/-only$/, '-or-later'))
    ? id.replace(/-only$/, '-or-later') : null;
  const aliases = group.filter(x => x !== id).sort(byOrdinal);
  entries.push({ id, name: full[id].name, orLater, aliases, text });
}

// The SPDX LGPL-3.0 text is the LGPL's additional permissions followed by the whole GPL-3.0. Projects often
// ship the first part alone (COPYING.LESSER, Debian's common-licenses/LGPL-3): add it as a second text.
// Each entry's header: its id's, else the first alias's that has one (ids before aliases, so GPL-2.0-only has
// "version 2." and not GPL-2.0-or-later's "either version 2 ... or (at your option) any later version"). The
// "-or-later" id's own header, when it differs, is kept beside it as orLaterHeader: it is the notice most GPL-family
// projects use.
for (const entry of entries) {
  const header = [entry.id, ...entry.aliases].map(standardHeader).find(Boolean);
  if (header) entry.header = header;
  const orLaterHeader = entry.orLater ? standardHeader(entry.orLater) : null;
  if (orLaterHeader && orLaterHeader !== header) entry.orLaterHeader = orLaterHeader;
}

// Optional parts of a licence's text (<optional> in the XML, outermost only, a dozen words or more): the closing
// paragraph of GPL-2.0, a how-to appendix. spdx-license-list leaves some of them out, so a verbatim copy would show
// them as text no licence explains; the detector reads them as explanations, never as a licence of their own.
function* outermostOptionals(node) {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === 'optional') yield child;
    else yield* outermostOptionals(child);
  }
}
function optionalParts(id) {
  const [licence] = elements(readXml(`${id}.xml`), 'license');
  const [text] = licence ? elements(licence, 'text') : [];
  if (!text) return [];
  const parts = [...outermostOptionals(text)].map(plainText).filter(t => (t.match(/\p{L}{2,}/gu) ?? []).length >= 12);
  return [...new Set(parts)];
}
for (const entry of entries) {
  const optional = optionalParts(entry.id);
  if (optional.length) entry.optional = optional;
}

const lgpl3 = entries.find(e => e.id === 'LGPL-3.0-only');
const gplStart = lgpl3.text.indexOf('GNU GENERAL PUBLIC LICENSE\nVersion 3');
if (gplStart <= 0) throw new Error('LGPL-3.0-only: GPL-3.0 text not found; check the package version');
// (Without the header: LGPL-3.0-only's is on the full entry, and the detector would read it twice.)
const { header: _, orLaterHeader: __, optional: ___, ...lgpl3Terms } = lgpl3;
entries.push({ ...lgpl3Terms, aliases: [], text: lgpl3.text.slice(0, gplStart).trimEnd() + '\n' });

entries.sort((a, b) => byOrdinal(a.id, b.id) || a.text.length - b.text.length);
const data = {
  source: `spdx-license-list@${pkg.version} + license-list-XML@${xmlTag}`,
  licence: 'CC0-1.0',
  licenses: entries,
  exceptions,
};
const json = Buffer.from(JSON.stringify(data, null, 0), 'utf8');
const out = join(here, '../../src/SecureGateway.Core/Policy/Licences/spdx-licences.json.gz');
const gz = gzipSync(json, { level: 9 });
gz[9] = 255; // OS byte: "unknown" instead of the build machine's, for byte-identical output everywhere
writeFileSync(out, gz);
console.log(`${out}: ${entries.length} texts (${entries.filter(e => e.header).length} with a header), ` +
  `${exceptions.length} exceptions, ${json.length} bytes JSON, ${gz.length} bytes gzip`);
if (gz.length > 2 << 20) throw new Error(`${out} is ${gz.length} bytes, over the 2 MB limit for the committed file`);
