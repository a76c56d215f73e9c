import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { AmfEcmaArray, AmfTypedObject, encodeAmf0 } from '@rtmp-web/amf';
import { amfEntries, amfPreview, amfTree, topLevelEncodings } from '../src/amf-tree';

describe('amfTree', () => {
  it('labels AMF0 values with their wire types and nests containers', () => {
    const tree = amfTree(new AmfEcmaArray([['width', 640], ['encoder', 'Lavf'], ['stereo', true], ['tags', [1, null]]]), 0, 'onMetaData');
    expect(tree).toEqual({
      key: 'onMetaData',
      type: 'AMF0 ECMA array',
      preview: '4 entries',
      children: [
        { key: 'width', type: 'AMF0 number', preview: '640' },
        { key: 'encoder', type: 'AMF0 string', preview: '"Lavf"' },
        { key: 'stereo', type: 'AMF0 boolean', preview: 'true' },
        {
          key: 'tags',
          type: 'AMF0 strict array',
          preview: '2 items',
          children: [
            { key: '[0]', type: 'AMF0 number', preview: '1' },
            { key: '[1]', type: 'AMF0 null', preview: 'null' },
          ],
        },
      ],
    });
  });

  it('tells AMF3 integers from doubles and names typed objects', () => {
    expect(amfTree(7, 3).type).toBe('AMF3 integer');
    expect(amfTree(0.5, 3).type).toBe('AMF3 double');
    expect(amfTree(2 ** 28, 3).type).toBe('AMF3 double'); // outside the U29 range
    expect(amfTree(false, 3).type).toBe('AMF3 false');
    const typed = amfTree(new AmfTypedObject('flex.Foo', { a: 1 }), 0);
    expect(typed.type).toBe('AMF0 typed object');
    expect(typed.preview).toBe('flex.Foo {1}');
    expect(amfTree({ code: 'NetStream.Play.Start' }, 3).type).toBe('AMF3 object (anonymous)');
  });

  it('previews values on one line and reads object-like entries', () => {
    expect(amfPreview({ level: 'status', code: 'NetStream.Play.Start' })).toBe('{level: "status", code: "NetStream.Play.Start"}');
    expect(amfEntries(new AmfEcmaArray([['width', 640]]))).toEqual({ width: 640 });
    expect(amfEntries('text')).toBeUndefined();
  });
});

describe('topLevelEncodings', () => {
  it('finds the AMF3 switch marker per value of an AMF0 command', () => {
    const body = new Uint8Array([
      ...encodeAmf0(['_result', 1]),
      ...fromHex(`
        11           # AMF0 avmplus-object marker: the next value is AMF3
        0a 0b 01     # AMF3 object, dynamic anonymous traits
        09 63 6f 64 65  06 07 61 62 63   # "code": "abc"
        01           # end of dynamic members
      `),
    ]);
    expect(topLevelEncodings(body, 20)).toEqual([0, 0, 3]);
    // Type 17 bodies start with a 0x00 format byte that is not a value.
    expect(topLevelEncodings(new Uint8Array([0, ...body]), 17)).toEqual([0, 0, 3]);
  });

  it('returns the values read before a malformed one', () => {
    expect(topLevelEncodings(new Uint8Array([...encodeAmf0(['play']), 0x02, 0x00]), 20)).toEqual([0]);
  });
});
