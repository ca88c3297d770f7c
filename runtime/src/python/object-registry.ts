/**
 * Engine memory objects the Python side holds (ours). Every object handed to Python — a `put`
 * argument, or an `allocate` answer — gets an id; Python's `ref_count_up/down`, `pin/unpin` come
 * back as events and are applied here to the engine's own `MemoryObj`, so the TS allocator's
 * accounting stays the one source of truth. Before each call Node reports which tracked objects
 * the engine has freed since (Python then lets them go) and, under the allocator's
 * poison-on-free, writes the poison into the shared file too, so a connector that kept a view of
 * a released buffer reads garbage exactly as a TS connector would.
 */
import { POISON_BYTE, type MemoryAllocator } from "../memory/allocator";
import type { MemoryObj } from "../memory/memory-obj";
import type { SharedArena } from "./shared-arena";

/** One Python connector instance's memory: the engine allocator it allocates from and its file. */
export interface InstanceMemory {
  id: number;
  allocator: MemoryAllocator | null;
  arena: SharedArena;
}

interface Tracked {
  obj: MemoryObj;
  instance: InstanceMemory;
}

/** How many freed objects stay reachable for late events (a Python double free after the free). */
const GRAVEYARD = 1024;

export class ObjectRegistry {
  private readonly byId = new Map<number, Tracked>();
  private readonly ids = new WeakMap<MemoryObj, number>();
  private readonly graveyard = new Map<number, MemoryObj>();
  private nextId = 1;

  /** The id of `obj` (tracked from now on). */
  track(obj: MemoryObj, instance: InstanceMemory): number {
    const known = this.ids.get(obj);
    if (known !== undefined && this.byId.has(known)) return known;
    const id = this.nextId++;
    this.ids.set(obj, id);
    this.byId.set(id, { obj, instance });
    return id;
  }

  get(id: number): Tracked | undefined {
    return this.byId.get(id);
  }

  /** Ids of tracked objects the engine freed since the last sweep (poison mirrored). */
  sweep(): number[] {
    const freed: number[] = [];
    for (const [id, t] of this.byId) {
      if (t.obj.isValid()) continue;
      this.byId.delete(id);
      freed.push(id);
      this.graveyard.set(id, t.obj);
      if (t.instance.allocator?.poisonOnFree && !t.instance.arena.closed) t.instance.arena.fill(t.obj.meta.address, t.obj.meta.phySize, POISON_BYTE);
    }
    while (this.graveyard.size > GRAVEYARD) this.graveyard.delete(this.graveyard.keys().next().value!);
    return freed;
  }

  /** Applies Python's ownership events to the engine's objects, in order. */
  apply(events: [number, string][]): void {
    for (const [id, code] of events) {
      const obj = this.byId.get(id)?.obj ?? this.graveyard.get(id);
      if (!obj) continue;
      if (code === "up") obj.refCountUp();
      else if (code === "down") obj.refCountDown();
      else if (code === "pin") obj.pin();
      else if (code === "unpin") obj.unpin();
    }
  }
}
