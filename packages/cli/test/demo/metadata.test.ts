import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex } from '@rtmp-web/bytes';
import { readFlvFile } from '@rtmp-web/rtmp';
import { liveMetadataBody, readOnMetaData } from '../../src/demo/metadata';

describe('onMetaData', () => {
  const clip = readFlvFile(new Uint8Array(readFileSync(new URL('../../assets/demo-clip.flv', import.meta.url))));
  const body = clip.tags[0]!.data;

  it('reads the bundled clip metadata exactly', () => {
    expect(readOnMetaData(body)).toEqual({
      duration: 8.021,
      width: 640,
      height: 360,
      videodatarate: 273.4375,
      framerate: 25,
      videocodecid: 7,
      audiodatarate: 62.5,
      audiosamplerate: 48000,
      audiosamplesize: 16,
      stereo: true,
      audiocodecid: 10,
      filesize: 360748,
    });
  });

  it('drops the file-only fields for the live stream and keeps the order of the rest', () => {
    const live = readOnMetaData(liveMetadataBody(body))!;
    expect(Object.keys(live)).toEqual(['width', 'height', 'videodatarate', 'framerate', 'videocodecid', 'audiodatarate', 'audiosamplerate', 'audiosamplesize', 'stereo', 'audiocodecid']);
  });

  it('reads onMetaData written as an anonymous object, and ignores other script data', () => {
    const objectForm = fromHex(`
      02 000a 6f6e4d65746144617461   # "onMetaData"
      03                              # AMF0 object
      0005 7769647468 00 4064000000000000   # width: 160
      000009                          # object end
    `);
    expect(readOnMetaData(objectForm)).toEqual({ width: 160 });
    expect(readOnMetaData(fromHex('02 000a 6f6e437565506f696e74 05   # "onCuePoint", null'))).toBeNull();
    expect(liveMetadataBody(objectForm)).toEqual(
      fromHex('02 000a 6f6e4d65746144617461  08 00000001  0005 7769647468 00 4064000000000000  000009'),
    );
  });
});
