// Writes src/SecureGateway.Core/Policy/Licences/spdx-licences.json.gz from the pinned npm package
// spdx-license-list (SPDX licence texts, CC0-1.0). Run `npm ci && npm run generate` in tools/spdx.
// The output is deterministic: entries sorted by id, gzip with a fixed header (no name, mtime 0).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, 'node_modules/spdx-license-list/package.json'), 'utf8'));
const pinned = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).devDependencies['spdx-license-list'];
if (pkg.version !== pinned) {
  throw new Error(`installed spdx-license-list ${pkg.version} is not the pinned ${pinned}: run npm ci`);
}
const full = require('spdx-license-list/full');
const byOrdinal = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

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
const lgpl3 = entries.find(e => e.id === 'LGPL-3.0-only');
const gplStart = lgpl3.text.indexOf('GNU GENERAL PUBLIC LICENSE\nVersion 3');
if (gplStart <= 0) throw new Error('LGPL-3.0-only: GPL-3.0 text not found; check the package version');
entries.push({ ...lgpl3, aliases: [], text: lgpl3.text.slice(0, gplStart).trimEnd() + '\n' });

entries.sort((a, b) => byOrdinal(a.id, b.id) || a.text.length - b.text.length);
const data = { source: `spdx-license-list@${pkg.version}`, licence: 'CC0-1.0', licenses: entries };
const json = Buffer.from(JSON.stringify(data, null, 0), 'utf8');
const out = join(here, '../../src/SecureGateway.Core/Policy/Licences/spdx-licences.json.gz');
const gz = gzipSync(json, { level: 9 });
gz[9] = 255; // OS byte: "unknown" instead of the build machine's, for byte-identical output everywhere
writeFileSync(out, gz);
console.log(`${out}: ${entries.length} texts, ${json.length} bytes JSON, ${gz.length} bytes gzip`);
