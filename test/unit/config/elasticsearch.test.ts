// The elasticsearch plugin as deployed (deploy/plugins/elasticsearch.yaml): defaults, presets,
// overrides, lists, and the exact message for each kind of bad input.
import { describe, expect, it } from 'vitest';
import { accepted, errorsOf, loadPlugin, registryOf } from './support.ts';

const KEYS =
  'action.auto_create_index, action.destructive_requires_name, cluster.name, cluster.routing.allocation.disk.watermark.flood_stage, cluster.routing.allocation.disk.watermark.high, cluster.routing.allocation.disk.watermark.low, heapSize, http.max_content_length, indices.memory.index_buffer_size, indices.queries.cache.size, node.roles, thread_pool.search.queue_size, thread_pool.write.queue_size';
const ROLES =
  '"master", "data", "data_content", "data_hot", "data_warm", "data_cold", "ingest", "ml", "remote_cluster_client", "transform"';

describe('elasticsearch plugin config', () => {
  const plugin = loadPlugin('elasticsearch');

  it('renders the defaults: discovery from the members, security on, mmap off', async () => {
    const c = await accepted(plugin);
    expect(Object.keys(c.files).sort()).toEqual(['elasticsearch.yml', 'heap.options']);
    const yml = c.files['elasticsearch.yml']!;
    expect(yml).toContain('\ncluster.name: mwop\n');
    expect(yml).toContain('\nnode.roles: ["master","data","ingest"]\n');
    expect(yml).toContain(
      '\ndiscovery.seed_hosts: ["demo-0.demo-headless.team-a.svc:9300", "demo-1.demo-headless.team-a.svc:9300", "demo-2.demo-headless.team-a.svc:9300"]\n',
    );
    expect(yml).toContain('\ncluster.initial_master_nodes: ["demo-0", "demo-1", "demo-2"]\n');
    expect(yml).toContain('\nnode.store.allow_mmap: false\n');
    expect(yml).toContain('\nxpack.security.enabled: true\n');
    expect(yml).not.toMatch(/\{\{|undefined|\[object/);
    expect(c.files['heap.options']).toContain('\n-Xms1g\n-Xmx1g\n');
  });

  it.each([
    ['small', '1g'],
    ['medium', '4g'],
    ['large', '15g'],
  ])('renders preset %s', async (preset, heap) => {
    const c = await accepted(plugin, { preset });
    expect(c.files['heap.options']).toContain(`-Xmx${heap}`);
  });

  it('merges overrides key by key over the preset, lists included', async () => {
    const c = await accepted(plugin, {
      preset: 'large',
      overrides: { 'node.roles': ['data', 'ingest'], 'cluster.name': 'search-prod' },
    });
    expect(c.values).toMatchObject({
      'node.roles': ['data', 'ingest'],
      'cluster.name': 'search-prod',
      heapSize: '15g',
      'indices.memory.index_buffer_size': '20%',
    });
    expect(c.files['elasticsearch.yml']).toContain('\nnode.roles: ["data","ingest"]\n');
  });

  it.each([
    [
      'heap pattern',
      { heapSize: '2 g' },
      'spec.config.overrides.heapSize: expected a string matching ^[0-9]+[mg]$ (JVM heap of each node, e.g. 2g: at most half the container memory limit (needs a restart).) (got "2 g")',
    ],
    [
      'name with a space',
      { 'cluster.name': 'my cluster' },
      'spec.config.overrides.cluster.name: expected a string matching ^[a-zA-Z0-9._-]{1,64}$ (Name of the cluster; nodes join only a cluster of the same name (needs a restart).) (got "my cluster")',
    ],
    [
      'list item not in the enum',
      { 'node.roles': ['master', 'coordinator'] },
      `spec.config.overrides.node.roles[1]: expected one of ${ROLES} (got "coordinator")`,
    ],
    [
      'string for a list',
      { 'node.roles': 'master' },
      `spec.config.overrides.node.roles: expected a list, each item one of ${ROLES}, not a string (got "master")`,
    ],
    [
      'below the minimum',
      { 'thread_pool.search.queue_size': 0 },
      'spec.config.overrides.thread_pool.search.queue_size: out of range: expected an integer from 1 to 100000 (got 0)',
    ],
    [
      'percentage without %',
      { 'indices.memory.index_buffer_size': '10' },
      'spec.config.overrides.indices.memory.index_buffer_size: expected a string matching ^[0-9]{1,2}%$ (Share of the heap for indexing buffers, e.g. 10%.) (got "10")',
    ],
    [
      'boolean as a string',
      { 'action.destructive_requires_name': 'yes' },
      'spec.config.overrides.action.destructive_requires_name: expected true or false, not a string (got "yes")',
    ],
    [
      'size unit in capitals',
      { 'http.max_content_length': '100MB' },
      'spec.config.overrides.http.max_content_length: expected a string matching ^[0-9]+(b|kb|mb|gb)$ (Largest HTTP request body, e.g. 100mb.) (got "100MB")',
    ],
    [
      'watermark without %',
      { 'cluster.routing.allocation.disk.watermark.low': '85' },
      'spec.config.overrides.cluster.routing.allocation.disk.watermark.low: expected a string matching ^[0-9]{1,2}(\\.[0-9]+)?%$ (Disk use above which no new shards are allocated to a node.) (got "85")',
    ],
    [
      'unknown key, with a suggestion',
      { 'node.role': ['data'] },
      `spec.config.overrides.node.role: unknown key for elasticsearch v1; did you mean "node.roles"? accepted keys: ${KEYS} (got ["data"])`,
    ],
    [
      'unknown key',
      { 'discovery.type': 'single-node' },
      `spec.config.overrides.discovery.type: unknown key for elasticsearch v1; accepted keys: ${KEYS} (got "single-node")`,
    ],
  ])('rejects %s', async (_what, overrides, message) => {
    expect(await errorsOf(plugin, { overrides })).toEqual([message]);
  });

  it('rejects an unknown preset and an unsupported middleware version', async () => {
    expect(await errorsOf(plugin, { preset: 'tiny' })).toEqual([
      'spec.config.preset: unknown preset for elasticsearch v1; accepted: small, medium, large (got "tiny")',
    ]);
    expect(() => registryOf('elasticsearch').resolve('elasticsearch', 'v1', '7.17.0')).toThrow(
      'spec.middlewareVersion: middleware version 7.17.0 is not supported by elasticsearch v1; supported: 8.17.4, 8.18.2',
    );
  });
});
