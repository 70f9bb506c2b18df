// `!source` and `@file` paths stay inside the folders the reader chose: the
// workspace folder, the trace's folder, the kernel tree.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { tempDir } from '../../tempDir';
import { parseTrace } from '../../../extension/core/trace/parse';
import { confineSourcePath, isConfinedFile, isInside } from '../../../extension/core/node/sourcePaths';

describe('source path confinement', () => {
  describe('by the text of the path (posix)', () => {
    const traceDir = '/ws/traces';
    const roots = [traceDir, '/ws', '/src/linux'];
    const confine = (p: string) => confineSourcePath(p, traceDir, roots, posix);

    it('resolves paths relative to the trace inside the roots', () => {
      assert.equal(confine('source/dm.c'), '/ws/traces/source/dm.c');
      assert.equal(confine('../kernel/dm.c'), '/ws/kernel/dm.c');
      assert.equal(confine('/src/linux/drivers/md/dm.c'), '/src/linux/drivers/md/dm.c');
    });

    it('refuses what leaves them', () => {
      for (const p of ['../../../../etc/passwd', '../../etc/shadow', '/etc/shadow', '/proc/self/environ', '/ws2/dm.c', '/src/linux-other/dm.c', '//host/share/dm.c', 'dm.c\0']) {
        assert.equal(confine(p), undefined, p);
      }
    });

    it('tells a sibling folder with the same prefix from a subfolder', () => {
      assert.ok(isInside('/ws', '/ws/a', posix));
      assert.ok(isInside('/ws', '/ws', posix));
      assert.ok(!isInside('/ws', '/wsx/a', posix));
      assert.ok(!isInside('/ws', '/ws/../etc', posix));
      assert.ok(isInside('/ws', '/ws/..a/b', posix), 'a name starting with two dots is not the parent');
    });
  });

  describe('by the text of the path (Windows)', () => {
    const traceDir = 'C:\\ws\\traces';
    const confine = (p: string) => confineSourcePath(p, traceDir, [traceDir, 'C:\\ws'], win32);

    it('resolves inside, case-insensitively', () => {
      assert.equal(confine('source\\dm.c'), 'C:\\ws\\traces\\source\\dm.c');
      assert.equal(confine('c:\\WS\\kernel\\dm.c'), 'c:\\WS\\kernel\\dm.c');
    });

    it('refuses UNC and device paths (an SMB connection), other drives and escapes', () => {
      for (const p of ['\\\\host\\share\\dm.c', '//host/share/dm.c', '\\\\?\\C:\\ws\\dm.c', '\\\\.\\pipe\\x', 'D:\\ws\\dm.c', '..\\..\\Windows\\win.ini', 'C:\\Windows\\win.ini']) {
        assert.equal(confine(p), undefined, p);
      }
    });
  });

  describe('on the disk', () => {
    let root: string;
    let outside: string;
    before(() => {
      root = tempDir('dmrl-ws-');
      outside = tempDir('dmrl-out-');
      mkdirSync(join(root, 'source'));
      writeFileSync(join(root, 'source', 'dm.c'), 'int x;\n');
      writeFileSync(join(outside, 'secret'), 'secret\n');
      symlinkSync(join(outside, 'secret'), join(root, 'source', 'link.c'));
      symlinkSync(join(root, 'source', 'dm.c'), join(outside, 'in.c'));
    });
    after(() => {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });

    it('accepts an existing file inside a root', () => {
      assert.ok(isConfinedFile(join(root, 'source', 'dm.c'), [root]));
    });

    it('refuses a missing file, a file outside, and a link inside that points outside', () => {
      assert.ok(!isConfinedFile(join(root, 'source', 'none.c'), [root]));
      assert.ok(!isConfinedFile(join(outside, 'secret'), [root]));
      assert.ok(!isConfinedFile(join(root, 'source', 'link.c'), [root]));
      assert.ok(!isConfinedFile(join(outside, 'in.c'), [root]), 'a path outside every root is refused before the disk is asked');
      assert.ok(!isConfinedFile('source/dm.c', [root]), 'relative paths are never probed');
    });

    it('accepts a link whose target is inside another root', () => {
      assert.ok(isConfinedFile(join(root, 'source', 'link.c'), [root, outside]));
    });
  });

  it('keeps the position of each !source PATH for the diagnostic', () => {
    const t = parseTrace('# x\n  !source dm.c="../../../etc/passwd"\n');
    assert.deepEqual(t.sources.get('dm.c'), { path: '../../../etc/passwd', line: 2, column: 16, endColumn: 37 });
  });
});
