// The kafka plugin as deployed (deploy/plugins/kafka.yaml): defaults, presets, overrides, the
// rules across keys (_#Rules), and the exact message for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { accepted, errorsOf, loadPlugin, registryOf } from './support.ts';

const KEYS =
  'auto.create.topics.enable, compression.type, default.replication.factor, group.initial.rebalance.delay.ms, heapSize, log.retention.bytes, log.retention.hours, log.segment.bytes, message.max.bytes, min.insync.replicas, num.io.threads, num.network.threads, num.partitions, offsets.topic.replication.factor, transaction.state.log.min.isr, transaction.state.log.replication.factor, unclean.leader.election.enable';

describe('kafka plugin config', () => {
  const plugin = loadPlugin('kafka');

  it('renders the defaults: KRaft voters from the members, the cluster id from the instance uid', async () => {
    const c = await accepted(plugin);
    expect(Object.keys(c.files).sort()).toEqual(['cluster.id', 'kafka.env', 'server.properties']);
    const props = c.files['server.properties']!;
    expect(props).toContain('\nprocess.roles=broker,controller\n');
    expect(props).toContain(
      '\ncontroller.quorum.voters=0@demo-0.demo-headless.team-a.svc:9093,1@demo-1.demo-headless.team-a.svc:9093,2@demo-2.demo-headless.team-a.svc:9093\n',
    );
    expect(props).toContain('\nnum.partitions=3\n');
    expect(props).toContain('\nmin.insync.replicas=1\n');
    expect(props).toContain('\nauto.create.topics.enable=true\n');
    expect(props).not.toMatch(/\{\{|undefined|\[object/);
    expect(c.files['kafka.env']).toContain('KAFKA_HEAP_OPTS="-Xms512m -Xmx512m"');
    // f81d4fae-7dec-11d0-a765-00a0c91e6bf6 as 22 characters of URL-safe base64.
    expect(c.files['cluster.id']!.trim()).toBe('-B1Prn3sEdCnZQCgyR5r9g');
  });

  it.each([
    ['small', '512m', 3, 1],
    ['medium', '2g', 6, 2],
    ['large', '6g', 12, 2],
  ])('renders preset %s', async (preset, heap, partitions, minIsr) => {
    const c = await accepted(plugin, { preset });
    expect(c.files['kafka.env']).toContain(`-Xmx${heap}`);
    expect(c.files['server.properties']).toContain(`\nnum.partitions=${partitions}\n`);
    expect(c.files['server.properties']).toContain(`\nmin.insync.replicas=${minIsr}\n`);
  });

  it('merges overrides key by key over the preset', async () => {
    const c = await accepted(plugin, {
      preset: 'medium',
      overrides: { 'log.retention.hours': 24, 'compression.type': 'lz4' },
    });
    expect(c.values).toMatchObject({
      'log.retention.hours': 24,
      'compression.type': 'lz4',
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      heapSize: '2g',
    });
  });

  it.each([
    [
      'heap pattern',
      { heapSize: '2G' },
      'spec.config.overrides.heapSize: expected a string matching ^[0-9]+[mg]$ (JVM heap of each broker, e.g. 1g (sets -Xms and -Xmx; needs a restart).) (got "2G")',
    ],
    [
      'below the minimum',
      { 'num.partitions': 0 },
      'spec.config.overrides.num.partitions: out of range: expected an integer from 1 to 10000 (got 0)',
    ],
    [
      'number as a string',
      { 'num.partitions': '3' },
      'spec.config.overrides.num.partitions: expected an integer from 1 to 10000, not a string (got "3")',
    ],
    [
      'not in the enum',
      { 'compression.type': 'brotli' },
      'spec.config.overrides.compression.type: expected one of "producer", "uncompressed", "gzip", "snappy", "lz4", "zstd" (got "brotli")',
    ],
    [
      'a rule across keys',
      { 'min.insync.replicas': 2 },
      'spec.config.overrides.min.insync.replicas: breaks a rule of kafka v1: min.insync.replicas must not exceed default.replication.factor, or no acks=all write can succeed. (got 2)',
    ],
    [
      'another rule across keys',
      { 'transaction.state.log.min.isr': 3, 'transaction.state.log.replication.factor': 2 },
      'spec.config.overrides.transaction.state.log.min.isr: breaks a rule of kafka v1: transaction.state.log.min.isr must not exceed transaction.state.log.replication.factor. (got 3)',
    ],
    [
      'segment too small',
      { 'log.segment.bytes': 1000 },
      'spec.config.overrides.log.segment.bytes: out of range: expected an integer from 1048576 to 2147483647 (got 1000)',
    ],
    [
      'boolean as a string',
      { 'auto.create.topics.enable': 'false' },
      'spec.config.overrides.auto.create.topics.enable: expected true or false, not a string (got "false")',
    ],
    [
      'unknown key, with a suggestion',
      { 'num.partition': 3 },
      `spec.config.overrides.num.partition: unknown key for kafka v1; did you mean "num.partitions"? accepted keys: ${KEYS} (got 3)`,
    ],
    [
      'ZooKeeper-era key',
      { 'zookeeper.connect': 'zk:2181' },
      `spec.config.overrides.zookeeper.connect: unknown key for kafka v1; accepted keys: ${KEYS} (got "zk:2181")`,
    ],
    [
      'above the maximum',
      { 'default.replication.factor': 10 },
      'spec.config.overrides.default.replication.factor: out of range: expected an integer from 1 to 9 (got 10)',
    ],
    [
      'below -1',
      { 'log.retention.hours': -2 },
      'spec.config.overrides.log.retention.hours: out of range: expected an integer from -1 to 876000 (got -2)',
    ],
  ])('rejects %s', async (_what, overrides, message) => {
    expect(await errorsOf(plugin, { overrides })).toEqual([message]);
  });

  it('accepts the rule when both sides move together', async () => {
    const c = await accepted(plugin, {
      overrides: { 'default.replication.factor': 3, 'min.insync.replicas': 2 },
    });
    expect(c.values['min.insync.replicas']).toBe(2);
  });

  it('rejects an unsupported middleware version', () => {
    expect(() => registryOf('kafka').resolve('kafka', 'v1', '2.8.2')).toThrow(
      'spec.middlewareVersion: middleware version 2.8.2 is not supported by kafka v1; supported: 3.9.0, 3.9.1',
    );
  });
});
