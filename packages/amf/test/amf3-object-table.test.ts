import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { AmfDictionary, AmfVector, AmfXml, AmfXmlDocument, decodeAmf3, readAmf3Value, type AmfValue } from '../src/index';
import { expectAmfError, expectEveryPrefixTruncated } from './helpers';

/**
 * AMF3 §2.2, §3.9-§3.16: every type from XMLDocument (0x07) to Dictionary (0x11) starts with a U29
 * whose low bit 0 makes it a reference into the one object table; only the containers among them
 * (arrays, objects, vectors, dictionaries) count towards maxDepth, and a reference never does.
 */
describe('AMF3 object table and depth, per marker', () => {
  // Each fixture is one array holding the inline value and then a reference to it (object 1;
  // object 0 is the outer array).
  const inlineThenReference: [string, string, (value: AmfValue) => void][] = [
    ['XMLDocument 0x07', '07 03 61', (v) => expect(v).toEqual(new AmfXmlDocument('a'))],
    ['Date 0x08', '08 01 3ff0000000000000', (v) => expect(v).toEqual(new Date(1))],
    ['XML 0x0B', '0b 03 62', (v) => expect(v).toEqual(new AmfXml('b'))],
    ['ByteArray 0x0C', '0c 05 0102', (v) => expect(v).toEqual(new Uint8Array([1, 2]))],
    ['Vector.<int> 0x0D', '0d 03 00 fffffffe', (v) => expect(v).toEqual(new AmfVector('int', [-2]))],
    ['Vector.<uint> 0x0E', '0e 03 01 00000007', (v) => expect(v).toEqual(new AmfVector('uint', [7], true))],
    ['Vector.<Number> 0x0F', '0f 03 00 4000000000000000', (v) => expect(v).toEqual(new AmfVector('double', [2]))],
    ['Vector.<Object> 0x10', '10 03 00 01 04 05', (v) => expect(v).toEqual(new AmfVector('object', [5]))],
    ['Dictionary 0x11', '11 03 00 04 01 04 02', (v) => expect(v).toEqual(new AmfDictionary([[1, 2]]))],
  ];
  for (const [name, inline, check] of inlineThenReference) {
    const marker = inline.slice(0, 2);
    const bytes = fromHex(`09 05 01    # array, 2 dense items, no associative part
                           ${inline}  # the value inline (object 1)
                           ${marker} 02  # the same marker, reference to object 1`);
    it(`${name}: inline, then a reference to the same instance`, () => {
      const [array] = decodeAmf3(bytes) as [AmfValue[]];
      expect(array).toHaveLength(2);
      check(array[0]);
      expect(array[1]).toBe(array[0]);
      expectEveryPrefixTruncated(bytes, (reader) => readAmf3Value(reader));
    });
    it(`${name}: a reference into an empty table is AMF_BAD_REFERENCE`, () => {
      const error = expectAmfError(() => decodeAmf3(fromHex(`${marker} 00`)), 'AMF_BAD_REFERENCE');
      expect(error.details).toEqual({ table: 'object', index: 0, size: 0 });
    });
  }

  const at = (depth: number, inner: string) => fromHex('090301'.repeat(depth) + inner);
  it('containers at the depth limit fail; scalars and references there do not', () => {
    for (const container of ['0d 01 00', '10 01 00 01', '11 01 00', '0a 0b 01 01']) {
      expect(decodeAmf3(at(63, container))).toHaveLength(1);
      expectAmfError(() => decodeAmf3(at(64, container)), 'AMF_DEPTH_EXCEEDED');
    }
    for (const leaf of ['08 01 0000000000000000', '0c 01', '07 01', '0b 01', '09 00']) {
      expect(decodeAmf3(at(64, leaf))).toHaveLength(1);
    }
  });

  it('vector counts beyond the input name the vector type', () => {
    const cases: [string, string][] = [
      ['0d 09 00', 'AMF3 Vector.<int>'],
      ['0e 09 00', 'AMF3 Vector.<uint>'],
      ['0f 09 00', 'AMF3 Vector.<Number>'],
      ['10 09 00 01', 'AMF3 Vector.<Object>'],
    ];
    for (const [hex, what] of cases) {
      const error = expectAmfError(() => decodeAmf3(fromHex(hex)), 'AMF_TRUNCATED');
      expect(error.details).toMatchObject({ what, declared: 4, lengthExceedsInput: true });
    }
  });

  it('markers past Dictionary are unknown, with their offset', () => {
    const error = expectAmfError(() => decodeAmf3(fromHex('09 03 01 12')), 'AMF_UNKNOWN_MARKER');
    expect(error.details).toEqual({ marker: 0x12, offset: 3 });
  });
});
