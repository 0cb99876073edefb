import { describe, expect, it } from 'vitest';
import { connectView, schemeOf, secretCommand } from '../../../src/cli/connect-view.ts';

const base = {
  name: 'cache',
  namespace: 'team-a',
  host: 'cache.team-a.svc',
  port: 6379,
  secretName: 'cache-credentials',
  passwordKey: 'password',
  scheme: 'redis',
  username: 'default',
};

describe('connect', () => {
  it('hides the password and reads it from the Secret in the command line', () => {
    const v = connectView(base);
    expect(v.uri).toBe('redis://default:****@cache.team-a.svc:6379');
    expect(v.command).toBe(
      `REDISCLI_AUTH="$(kubectl get secret cache-credentials -n team-a -o jsonpath='{.data.password}' | base64 -d)" redis-cli -h cache.team-a.svc -p 6379`,
    );
    expect(v.portForward).toBe(
      'kubectl port-forward -n team-a svc/cache 6379:6379   # then use -h 127.0.0.1',
    );
  });

  it('shows the password only when given, quoted for the shell and encoded in the URI', () => {
    const v = connectView({ ...base, password: "p@ss w'rd" });
    expect(v.uri).toBe("redis://default:p%40ss%20w'rd@cache.team-a.svc:6379");
    expect(v.command).toBe(`REDISCLI_AUTH='p@ss w'\\''rd' redis-cli -h cache.team-a.svc -p 6379`);
  });

  it('builds a mysql command line', () => {
    const v = connectView({
      ...base,
      scheme: 'mysql',
      port: 3306,
      username: 'root',
      host: 'orders.team-b.svc',
      namespace: 'team-b',
    });
    expect(v.command).toBe(
      `MYSQL_PWD="$(kubectl get secret cache-credentials -n team-b -o jsonpath='{.data.password}' | base64 -d)" mysql -h orders.team-b.svc -P 3306 -u root`,
    );
  });

  it("uses the plugin's cliTemplate when it has one", () => {
    const v = connectView({
      ...base,
      scheme: 'kafka',
      port: 9092,
      cliTemplate: 'kafka-topics.sh --bootstrap-server {{host}}:{{port}} --list',
    });
    expect(v.command).toBe('kafka-topics.sh --bootstrap-server cache.team-a.svc:9092 --list');
  });

  it('fills every variable a shipped cliTemplate uses, the instance name included (found by the quickstart)', () => {
    const v = connectView({
      ...base,
      cliTemplate:
        'kubectl -n {{namespace}} exec -it {{name}}-0 -c middleware -- redis-cli -h {{host}} -p {{port}}',
    });
    expect(v.command).toBe(
      'kubectl -n team-a exec -it cache-0 -c middleware -- redis-cli -h cache.team-a.svc -p 6379',
    );
  });

  it('falls back to a note for unknown clients', () => {
    expect(connectView({ ...base, scheme: 'foo' }).command).toMatch(/^# no client command is known for foo/);
  });

  it('escapes dots in the Secret key for jsonpath, and takes the scheme from the type', () => {
    expect(secretCommand('s', 'tls.key', 'ns')).toBe(
      `kubectl get secret s -n ns -o jsonpath='{.data.tls\\.key}' | base64 -d`,
    );
    expect(schemeOf('redis', undefined)).toBe('redis');
    expect(schemeOf('mariadb', { scheme: 'mysql' })).toBe('mysql');
  });
});
