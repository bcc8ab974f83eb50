//! statelog for Zig: an event store opened by name, typed events, subscriptions and state as of
//! any offset, over statelog's C API (statelog/c.h, libstatelog.so). bindings/zig/README.md
//! shows its use.
const std = @import("std");
const Allocator = std.mem.Allocator;
pub const c = @cImport(@cInclude("statelog/c.h"));

/// The event types and the Nitro types they hold (Event's payloads).
pub const events = @import("event.zig");
pub const Event = events.Event;
pub const EventOffset = events.EventOffset;

pub const StateReconstructor = @import("reconstruct.zig").StateReconstructor;

/// statelog's result codes (STATELOG_* in statelog/c.h) as Zig errors. The message of the calling
/// thread's last failure is lastError().
pub const Error = error{
    NotFound,
    Corruption,
    InvalidArgument,
    IOError,
    OutOfRange,
    FailedPrecondition,
    AlreadyExists,
    Busy,
    NotSupported,
    Aborted,
    Conflict,
    NoSpace,
    /// A code this package does not know (a newer library).
    Unknown,
};

/// Returns the Zig error of statelog code `code`; null for STATELOG_OK.
pub fn errorFromCode(code: c_int) ?Error {
    return switch (code) {
        c.STATELOG_OK => null,
        c.STATELOG_NOT_FOUND => error.NotFound,
        c.STATELOG_CORRUPTION => error.Corruption,
        c.STATELOG_INVALID_ARGUMENT => error.InvalidArgument,
        c.STATELOG_IO_ERROR => error.IOError,
        c.STATELOG_OUT_OF_RANGE => error.OutOfRange,
        c.STATELOG_FAILED_PRECONDITION => error.FailedPrecondition,
        c.STATELOG_ALREADY_EXISTS => error.AlreadyExists,
        c.STATELOG_BUSY => error.Busy,
        c.STATELOG_NOT_SUPPORTED => error.NotSupported,
        c.STATELOG_ABORTED => error.Aborted,
        c.STATELOG_CONFLICT => error.Conflict,
        c.STATELOG_NO_SPACE => error.NoSpace,
        else => error.Unknown,
    };
}

// The last failure's message, per thread ("Code: text", cut at the buffer's size).
threadlocal var last_error_buf: [4096]u8 = undefined;
threadlocal var last_error_len: usize = 0;

/// Returns the message of the calling thread's last failed statelog call, e.g.
/// "Conflict: expected the log to hold 0 records; it holds 1" ("" before any). Valid until the
/// thread's next failed call.
pub fn lastError() []const u8 {
    return last_error_buf[0..last_error_len];
}

/// Turns a C result into an error union, keeping the message for lastError() and freeing it.
pub fn check(code: c_int, err: [*c]u8) Error!void {
    defer c.statelog_free(err);
    const failure = errorFromCode(code) orelse return;
    const message = if (err == null) "" else std.mem.span(err);
    last_error_len = @min(message.len, last_error_buf.len);
    @memcpy(last_error_buf[0..last_error_len], message[0..last_error_len]);
    return failure;
}

/// Returns the library's version, e.g. "0.2.0".
pub fn version() []const u8 {
    return std.mem.span(c.statelog_version());
}

/// How EventStore.init opens a store.
pub const Options = struct {
    /// The 0x address of the node the log belongs to: a new log is created for it, under
    /// go-nitro's rules, and another node's log is refused (error.FailedPrecondition). null: none.
    node: ?[]const u8 = null,
    /// RocksDB: an append survives a process crash, not a power loss.
    no_sync: bool = false,
    /// Appends fail with error.NotSupported.
    read_only: bool = false,
    /// A missing store is error.NotFound instead of created.
    must_exist: bool = false,
};

/// Events read from the log, with the memory that holds them. deinit() frees both.
pub const EventList = struct {
    arena: std.heap.ArenaAllocator,
    items: []const Event,

    pub fn deinit(self: *EventList) void {
        self.arena.deinit();
    }
};

/// Called once per event of a subscription, in offset order, on the subscription's own thread.
/// `e` is valid during the call only. Returning an error stops the subscription
/// (Subscription.wait then fails with error.Aborted).
pub const EventCallback = *const fn (context: ?*anyopaque, e: Event, offset: EventOffset) anyerror!void;

/// A running subscription (EventStore.subscribe). deinit() stops and frees it.
pub const Subscription = struct {
    allocator: Allocator,
    handle: ?*c.statelog_subscription_t = null,
    callback: EventCallback,
    context: ?*anyopaque,

    fn deliver(arg: ?*anyopaque, offset: u64, json: [*c]const u8, len: usize) callconv(.C) c_int {
        const self: *Subscription = @ptrCast(@alignCast(arg));
        var arena = std.heap.ArenaAllocator.init(self.allocator);
        defer arena.deinit();
        const e = Event.fromJson(arena.allocator(), json[0..len]) catch return 1;
        self.callback(self.context, e, offset) catch return 2;
        return 0;
    }

    /// Blocks until every event below `offset` was delivered or the subscription stopped; an error
    /// when it stopped (error.Aborted: the callback returned an error or an event did not decode).
    pub fn wait(self: *Subscription, offset: EventOffset) Error!void {
        var err: [*c]u8 = null;
        return check(c.statelog_subscription_wait(self.handle, offset, &err), err);
    }

    /// Stops the subscription, waits for a running callback, and frees it. Not from its own
    /// callback.
    pub fn deinit(self: *Subscription) void {
        _ = c.statelog_unsubscribe(self.handle, null);
        self.allocator.destroy(self);
    }
};

/// An open store: its append-only log of events, checked as they are appended (Nitro proofs and
/// rules). Safe to use from several threads at once, except deinit().
pub const EventStore = struct {
    allocator: Allocator,
    db: *c.statelog_t,

    /// Opens the store `name` names: "memory:" (a new in-memory log), a RocksDB directory
    /// ("rocksdb:DIR" or DIR), or "postgresql://..." (a shared PostgreSQL log). Created when
    /// missing unless options.must_exist.
    pub fn init(a: Allocator, name: []const u8, options: Options) !*EventStore {
        const name_z = try a.dupeZ(u8, name);
        defer a.free(name_z);
        const node_z = if (options.node) |n| try a.dupeZ(u8, n) else null;
        defer if (node_z) |n| a.free(n);
        var flags: c_int = 0;
        if (options.no_sync) flags |= c.STATELOG_OPEN_NO_SYNC;
        if (options.read_only) flags |= c.STATELOG_OPEN_READ_ONLY;
        if (options.must_exist) flags |= c.STATELOG_OPEN_MUST_EXIST;
        const self = try a.create(EventStore);
        errdefer a.destroy(self);
        var db: ?*c.statelog_t = null;
        var err: [*c]u8 = null;
        const node_ptr: [*c]const u8 = if (node_z) |n| n.ptr else null;
        try check(c.statelog_open(&db, name_z.ptr, node_ptr, flags, &err), err);
        self.* = .{ .allocator = a, .db = db.? };
        return self;
    }

    /// Closes the store and frees it. Running subscriptions keep the store open until their
    /// deinit().
    pub fn deinit(self: *EventStore) void {
        c.statelog_close(self.db);
        self.allocator.destroy(self);
    }

    /// Appends `e`, checked, and returns its offset. An event without an id gets the id its
    /// content hashes to; one with an id must have that one (error.InvalidArgument). An event
    /// already in the log is not appended again: its original offset is returned.
    pub fn append(self: *EventStore, e: Event) !EventOffset {
        return self.appendExpecting(e, null);
    }

    /// append(), only if the log holds `expected_length` events (null: no expectation);
    /// error.Conflict and nothing written otherwise.
    pub fn appendExpecting(self: *EventStore, e: Event, expected_length: ?u64) !EventOffset {
        const json = try e.toJson(self.allocator);
        defer self.allocator.free(json);
        const expected: i64 = if (expected_length) |n| @intCast(n) else c.STATELOG_NONE;
        var offset: u64 = 0;
        var err: [*c]u8 = null;
        try check(c.statelog_append(self.db, json.ptr, json.len, expected, &offset, null, &err), err);
        return offset;
    }

    /// Returns the events from `offset` to the end of the log.
    pub fn readFrom(self: *EventStore, offset: EventOffset) !EventList {
        return self.readRange(offset, std.math.maxInt(u64));
    }

    /// Returns the events at offsets [start, end); error.OutOfRange unless
    /// start <= end <= len(). end == maxInt(u64): to the end of the log.
    pub fn readRange(self: *EventStore, start: EventOffset, end: EventOffset) !EventList {
        var out: [*c]u8 = null;
        var out_len: usize = 0;
        var err: [*c]u8 = null;
        try check(c.statelog_read(self.db, start, end, &out, &out_len, &err), err);
        defer c.statelog_free(out);
        var list = EventList{ .arena = std.heap.ArenaAllocator.init(self.allocator), .items = &.{} };
        errdefer list.arena.deinit();
        const a = list.arena.allocator();
        var decoded = std.ArrayList(Event).init(a);
        var lines = std.mem.splitScalar(u8, out[0..out_len], '\n');
        while (lines.next()) |line| {
            if (line.len == 0) continue;
            try decoded.append(try Event.fromJson(a, line));
        }
        list.items = decoded.items;
        return list;
    }

    /// Returns the number of events in the log (the offset the next event gets).
    pub fn len(self: *EventStore) Error!EventOffset {
        var length: u64 = 0;
        var err: [*c]u8 = null;
        try check(c.statelog_head(self.db, &length, null, &err), err);
        return length;
    }

    /// Delivers the events from offset `from` on, history first, then every event appended later,
    /// to `callback` with `context`, until the returned subscription's deinit().
    pub fn subscribe(self: *EventStore, from: EventOffset, callback: EventCallback, context: ?*anyopaque) !*Subscription {
        const sub = try self.allocator.create(Subscription);
        errdefer self.allocator.destroy(sub);
        sub.* = .{ .allocator = self.allocator, .callback = callback, .context = context };
        var err: [*c]u8 = null;
        try check(c.statelog_subscribe(self.db, from, Subscription.deliver, sub, &sub.handle, &err), err);
        return sub;
    }

    /// Returns the node the log belongs to and its rule set as JSON, e.g.
    /// {"rules":"nitro-2","node":"0x..."}; the caller frees it with the store's allocator.
    pub fn identity(self: *EventStore) ![]u8 {
        var out: [*c]u8 = null;
        var err: [*c]u8 = null;
        try check(c.statelog_identity(self.db, &out, &err), err);
        defer c.statelog_free(out);
        return self.allocator.dupe(u8, std.mem.span(out));
    }
};

/// Returns the canonical JSON of `e` with its id (computed when `e` has none, checked when it
/// has), allocated with `a`: what the store returns for it once appended.
pub fn completeEvent(a: Allocator, e: Event) ![]u8 {
    const json = try e.toJson(a);
    defer a.free(json);
    var out: [*c]u8 = null;
    var out_len: usize = 0;
    var err: [*c]u8 = null;
    try check(c.statelog_complete_event(json.ptr, json.len, &out, &out_len, &err), err);
    defer c.statelog_free(out);
    return a.dupe(u8, out[0..out_len]);
}
