import { describe, expect, it } from 'vitest';
import { DemoError } from '../../src/demo/errors';
import { demoPageUrl, parseDemoArgs } from '../../src/demo/index';

describe('parseDemoArgs', () => {
  it('reads every flag, in both spellings, and skips the "--" pnpm passes through', () => {
    expect(parseDemoArgs(['--', '--rtmp-port', '1936', '--bridge-port=8081', '--http-port', '0', '--host', '[::1]', '--verbose'])).toEqual({
      options: { rtmpPort: 1936, bridgePort: 8081, httpPort: 0, host: '::1', verbose: true },
      help: false,
    });
    expect(parseDemoArgs([])).toEqual({ options: {}, help: false });
    expect(parseDemoArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags, missing values and bad ports with DEMO_BAD_OPTION', () => {
    const message = (argv: string[]): string => {
      try {
        parseDemoArgs(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(DemoError);
        expect((error as DemoError).code).toBe('DEMO_BAD_OPTION');
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message(['--port', '1'])).toBe('unknown option "--port"');
    expect(message(['--rtmp-port'])).toBe('--rtmp-port needs a value');
    expect(message(['--rtmp-port', '--verbose'])).toBe('--rtmp-port needs a value');
    expect(message(['--http-port', '65536'])).toBe('--http-port must be a port number 0..65535, got "65536"');
    expect(message(['--bridge-port=80a'])).toBe('--bridge-port must be a port number 0..65535, got "80a"');
    expect(message(['--host='])).toBe('--host needs an address');
  });
});

describe('demoPageUrl', () => {
  it('URL-encodes the stream and the bridge so the page reads them back exactly', () => {
    const url = demoPageUrl('http://127.0.0.1:5173', 'rtmp://127.0.0.1:19350/live/demo?key=a&b=c', 'ws://127.0.0.1:8080/');
    expect(url).toBe('http://127.0.0.1:5173/?src=rtmp%3A%2F%2F127.0.0.1%3A19350%2Flive%2Fdemo%3Fkey%3Da%26b%3Dc&bridge=ws%3A%2F%2F127.0.0.1%3A8080%2F');
    const params = new URL(url).searchParams;
    expect([params.get('src'), params.get('bridge')]).toEqual(['rtmp://127.0.0.1:19350/live/demo?key=a&b=c', 'ws://127.0.0.1:8080/']);
  });
});
