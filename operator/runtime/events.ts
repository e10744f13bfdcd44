import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from './client-node';
import type { KubeClient } from './kube-client';
import { isNotFound } from './kube-errors';
import type { Logger } from './logger';
import { errorMessage } from './error-message';

export type EventType = 'Normal' | 'Warning';

export interface EventOptions {
  /**
   * A condition transition: recorded once per observed state of `regarding`
   * (its uid and resourceVersion). A reconcile that runs again on a cache not
   * yet showing its own status write computes the same transition from the
   * same stale object; without this it would be recorded a second time.
   * Repeats that are news (a reconcile failing again) leave it off and fold
   * into the Event's series instead.
   */
  transition?: boolean;
}

export interface EventRecorder {
  /** Records an Event about `regarding`. Never throws: an Event is worth less than the reconcile that emits it. */
  event(
    regarding: KubernetesObject,
    type: EventType,
    reason: string,
    note: string,
    action?: string,
    options?: EventOptions,
  ): Promise<void>;
}

export interface KubeEventRecorderOptions {
  client: KubeClient;
  logger: Logger;
  /** events.k8s.io reportingController, e.g. understudy.dev/operator. */
  controller: string;
  /** reportingInstance: which replica said it. */
  instance: string;
  /** Repeats within this window bump series.count on one Event instead of creating another. */
  seriesWindowMs?: number;
  maxTracked?: number;
  now?: () => Date;
}

interface Tracked {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

/** MicroTime: RFC 3339 with microseconds, as events.k8s.io/v1 wants for eventTime. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** What makes two events "the same" for aggregation. */
export function seriesKey(
  regarding: KubernetesObject,
  type: EventType,
  reason: string,
  action: string,
  note: string,
): string {
  const m = regarding.metadata ?? {};
  return JSON.stringify([
    regarding.apiVersion,
    regarding.kind,
    m.namespace ?? '',
    m.name,
    m.uid ?? '',
    type,
    reason,
    action,
    note,
  ]);
}

const NOTE_LIMIT = 1024;

/**
 * Writes events.k8s.io/v1 Events. A repeat of an Event seen recently patches
 * its `series` (count and lastObservedTime) rather than adding a new object,
 * so a reconcile that fails in a loop does not flood etcd.
 */
export class KubeEventRecorder implements EventRecorder {
  private readonly tracked = new Map<string, Tracked>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly transitions = new Set<string>();
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => Date;

  constructor(private readonly options: KubeEventRecorderOptions) {
    this.windowMs = options.seriesWindowMs ?? 30 * 60_000;
    this.maxTracked = options.maxTracked ?? 4096;
    this.now = options.now ?? (() => new Date());
  }

  event(
    regarding: KubernetesObject,
    type: EventType,
    reason: string,
    note: string,
    action: string = reason,
    options: EventOptions = {},
  ): Promise<void> {
    const trimmed = note.length > NOTE_LIMIT ? `${note.slice(0, NOTE_LIMIT - 3)}...` : note;
    const key = seriesKey(regarding, type, reason, action, trimmed);
    if (options.transition && this.alreadyRecorded(key, regarding)) return Promise.resolve();
    // One key at a time, so a burst of repeats cannot race into several Events.
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.record(key, regarding, type, reason, trimmed, action));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async record(
    key: string,
    regarding: KubernetesObject,
    type: EventType,
    reason: string,
    note: string,
    action: string,
  ): Promise<void> {
    const now = this.now();
    try {
      const seen = this.tracked.get(key);
      if (seen && now.getTime() - seen.lastSeen < this.windowMs) {
        seen.count++;
        seen.lastSeen = now.getTime();
        try {
          await this.options.client.mergePatch(
            { apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace: seen.namespace, name: seen.name },
            { series: { count: seen.count, lastObservedTime: microTime(now) } },
          );
          return;
        } catch (err) {
          // The Event expired (the API server deletes Events after an hour): start a new one.
          if (!isNotFound(err)) throw err;
        }
      }
      const created = await this.create(regarding, type, reason, note, action, now);
      this.remember(key, { ...created, count: 1, lastSeen: now.getTime() });
    } catch (err) {
      this.options.logger.warn({ err: errorMessage(err), reason }, 'could not record event');
    }
  }

  private async create(
    regarding: KubernetesObject,
    type: EventType,
    reason: string,
    note: string,
    action: string,
    now: Date,
  ): Promise<{ name: string; namespace: string }> {
    const m = regarding.metadata ?? {};
    const namespace = m.namespace || 'default';
    const name = `${(m.name ?? 'unknown').slice(0, 200)}.${randomBytes(8).toString('hex')}`;
    await this.options.client.create({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance.slice(0, 128),
      action,
      reason,
      note,
      type,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
    } as KubernetesObject);
    return { name, namespace };
  }

  /** True when this transition was already recorded for this very state of the object; remembers it otherwise. */
  private alreadyRecorded(key: string, regarding: KubernetesObject): boolean {
    const version = regarding.metadata?.resourceVersion;
    if (!regarding.metadata?.uid || !version) return false;
    const observation = `${key}@${version}`;
    if (this.transitions.has(observation)) return true;
    this.transitions.add(observation);
    // A Set keeps insertion order: the first entry is the oldest.
    while (this.transitions.size > this.maxTracked) {
      const oldest = this.transitions.values().next().value;
      if (oldest === undefined) break;
      this.transitions.delete(oldest);
    }
    return false;
  }

  private remember(key: string, entry: Tracked): void {
    this.tracked.delete(key);
    this.tracked.set(key, entry);
    // Map keeps insertion order, so the first key is the least recently written.
    while (this.tracked.size > this.maxTracked) {
      const oldest = this.tracked.keys().next().value;
      if (oldest === undefined) break;
      this.tracked.delete(oldest);
    }
  }
}

/** Drops events; for tools and tests that have no cluster to write to. */
export const noopEventRecorder: EventRecorder = { event: () => Promise.resolve() };
