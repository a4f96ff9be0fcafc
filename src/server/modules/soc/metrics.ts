import type { SocMetrics as SocMetricsWire } from '../../../contracts/soc.js';

/**
 * Pipeline counters, exposed at `GET /api/v1/soc/metrics` (JSON) and `GET /api/v1/soc/metrics/prometheus`
 * (text exposition). Nothing is dropped silently: every loss has a counter (UDP datagrams dropped by Khiên when
 * the queue is over its hard limit, datagrams the kernel dropped before Khiên read them, truncated messages).
 */
export class SocMetrics {
  received = { udp: 0, tcp: 0, tls: 0, http: 0, file: 0 };
  spooled = 0;
  stored = 0;
  duplicates = 0;
  detected = 0;
  correlations = 0;
  alertsOpened = 0;
  alertsUpdated = 0;
  droppedUdp = 0;
  udpKernelDrops = 0;
  truncated = 0;
  parseErrors = 0;
  /** Spooled, not yet stored. */
  queue = 0;
  paused = false;
  pauses = 0;
  connections = 0;
  published = 0;
  startedAt = new Date().toISOString();

  snapshot() {
    const { received, ...rest } = this;
    return { ...rest, received: { ...received, total: received.udp + received.tcp + received.tls + received.http + received.file } };
  }

  prometheus(scaleOut?: NonNullable<SocMetricsWire['scaleOut']>): string {
    const s = this.snapshot();
    const lines: string[] = [];
    const counter = (name: string, help: string, v: number, labels = '') => {
      lines.push(`# HELP khien_soc_${name} ${help}`, `# TYPE khien_soc_${name} counter`, `khien_soc_${name}${labels} ${v}`);
    };
    lines.push('# HELP khien_soc_received_total Messages received, by transport', '# TYPE khien_soc_received_total counter');
    for (const t of ['udp', 'tcp', 'tls', 'http', 'file'] as const) lines.push(`khien_soc_received_total{transport="${t}"} ${s.received[t]}`);
    counter('spooled_total', 'Records durably spooled (acknowledged)', s.spooled);
    counter('stored_total', 'Events stored', s.stored);
    counter('duplicates_total', 'Replayed events already stored (removed by event id)', s.duplicates);
    counter('detected_total', 'Rule matches', s.detected);
    counter('correlations_total', 'Correlation rules fired', s.correlations);
    counter('dropped_udp_total', 'UDP datagrams dropped by Khiên (queue over its hard limit)', s.droppedUdp);
    counter('udp_kernel_drops_total', 'UDP datagrams the kernel dropped on Khiên sockets (/proc/net/udp)', s.udpKernelDrops);
    counter('truncated_total', 'Messages longer than the limit, truncated', s.truncated);
    lines.push('# TYPE khien_soc_queue gauge', `khien_soc_queue ${s.queue}`, '# TYPE khien_soc_paused gauge', `khien_soc_paused ${s.paused ? 1 : 0}`);
    counter('published_total', 'Messages published to NATS JetStream (scale-out ingest)', s.published);
    if (scaleOut) {
      const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      lines.push('# HELP khien_soc_partition_lag Messages of a partition not yet delivered to its worker', '# TYPE khien_soc_partition_lag gauge');
      for (const p of scaleOut.partitionOwners) lines.push(`khien_soc_partition_lag{partition="${p.partition}"} ${p.lag}`);
      lines.push('# HELP khien_soc_partitions_unowned Partitions without a live worker', '# TYPE khien_soc_partitions_unowned gauge', `khien_soc_partitions_unowned ${scaleOut.unowned}`);
      lines.push('# HELP khien_soc_worker_partitions Partitions owned by a worker', '# TYPE khien_soc_worker_partitions gauge');
      for (const w of scaleOut.workers) lines.push(`khien_soc_worker_partitions{worker="${esc(w.id)}"} ${w.partitions.length}`);
      lines.push('# HELP khien_soc_worker_redelivered_total Messages delivered again to a worker', '# TYPE khien_soc_worker_redelivered_total counter');
      for (const w of scaleOut.workers) lines.push(`khien_soc_worker_redelivered_total{worker="${esc(w.id)}"} ${w.redelivered}`);
      lines.push('# HELP khien_soc_worker_stored_total Events stored by a worker', '# TYPE khien_soc_worker_stored_total counter');
      for (const w of scaleOut.workers) lines.push(`khien_soc_worker_stored_total{worker="${esc(w.id)}"} ${w.stored}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
