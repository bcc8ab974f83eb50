//! State reconstruction: a channel's or an objective's state folded from the log, now or as of
//! any offset, as statelog computes it (the JSON form of docs/snapshot-format.md).
const std = @import("std");
const Allocator = std.mem.Allocator;
const statelog = @import("statelog.zig");
const c = statelog.c;
const EventOffset = statelog.EventOffset;

/// A state as parsed JSON: `value` is a std.json.Value object; deinit() frees it.
pub const State = std.json.Parsed(std.json.Value);

/// Reconstructs states from an EventStore. Holds no state of its own: statelog keeps the cache.
/// Safe from several threads; the store must outlive it.
pub const StateReconstructor = struct {
    allocator: Allocator,
    event_store: *statelog.EventStore,

    pub fn init(a: Allocator, store: *statelog.EventStore) !*StateReconstructor {
        const self = try a.create(StateReconstructor);
        self.* = .{ .allocator = a, .event_store = store };
        return self;
    }

    pub fn deinit(self: *StateReconstructor) void {
        self.allocator.destroy(self);
    }

    /// The channel `id` ("0x" + 64 hex) as of now. error.NotFound when it has no event.
    pub fn reconstructChannel(self: *StateReconstructor, id: []const u8) !State {
        return self.read(c.statelog_channel, id, null);
    }

    /// The channel `id` with the events up to and including offset `as_of`. error.NotFound when
    /// it has no event by then; error.OutOfRange when `as_of` is past the log.
    pub fn reconstructChannelAsOf(self: *StateReconstructor, id: []const u8, as_of: EventOffset) !State {
        return self.read(c.statelog_channel, id, as_of);
    }

    /// The objective `id` (e.g. "DirectFunding-0x...") as of now.
    pub fn reconstructObjective(self: *StateReconstructor, id: []const u8) !State {
        return self.read(c.statelog_objective, id, null);
    }

    /// The objective `id` as of offset `as_of`.
    pub fn reconstructObjectiveAsOf(self: *StateReconstructor, id: []const u8, as_of: EventOffset) !State {
        return self.read(c.statelog_objective, id, as_of);
    }

    const ReadFn = *const fn (?*c.statelog_t, [*c]const u8, i64, [*c][*c]u8, [*c][*c]u8) callconv(.C) c_int;

    fn read(self: *StateReconstructor, comptime f: ReadFn, id: []const u8, as_of: ?EventOffset) !State {
        const id_z = try self.allocator.dupeZ(u8, id);
        defer self.allocator.free(id_z);
        const offset: i64 = if (as_of) |o| @intCast(o) else c.STATELOG_NONE;
        var out: [*c]u8 = null;
        var err: [*c]u8 = null;
        try statelog.check(f(self.event_store.db, id_z.ptr, offset, &out, &err), err);
        defer c.statelog_free(out);
        return std.json.parseFromSlice(std.json.Value, self.allocator, std.mem.span(out), .{});
    }
};
