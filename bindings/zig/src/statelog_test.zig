//! The package's tests, over the memory store: one Nitro history (a funded direct channel and a
//! payment) appended as typed events without ids, read back, reconstructed now and as of an
//! earlier offset, followed by a subscription; every event type's JSON; statelog's errors.
const std = @import("std");
const testing = std.testing;
const statelog = @import("statelog.zig");
const Event = statelog.Event;
const repo = @import("test_options").repo;

const channel = "0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47";
// The history's first 35 events: channel 0x39ff.. funded (deposits at 17 and 22, postfund at
// 28) and paid through a voucher (34), with a second channel and objectives beside it.
const history_events = 35;

/// Reads the lines of `path` (relative to the repository) that start with `{"id":`.
fn eventLines(a: std.mem.Allocator, path: []const u8) ![]const []const u8 {
    const full = try std.fs.path.join(a, &.{ repo, path });
    const text = try std.fs.cwd().readFileAlloc(a, full, 1 << 24);
    var lines = std.ArrayList([]const u8).init(a);
    var it = std.mem.splitScalar(u8, text, '\n');
    while (it.next()) |line| {
        if (std.mem.startsWith(u8, line, "{\"id\":")) try lines.append(line);
    }
    return lines.items;
}

/// What the store tests start from: an arena, the fixture history's lines, an empty memory store.
const Setup = struct {
    arena: std.heap.ArenaAllocator,
    lines: []const []const u8,
    store: *statelog.EventStore,

    fn init() !Setup {
        var arena = std.heap.ArenaAllocator.init(testing.allocator);
        errdefer arena.deinit();
        const lines = try eventLines(arena.allocator(), "tests/fixtures/format1/rocksdb-export.jsonl");
        const store = try statelog.EventStore.init(testing.allocator, "memory:", .{});
        return .{ .arena = arena, .lines = lines, .store = store };
    }

    /// The history's event `i`, with its recorded id.
    fn event(self: *Setup, i: usize) !Event {
        return Event.fromJson(self.arena.allocator(), self.lines[i]);
    }

    fn deinit(self: *Setup) void {
        self.store.deinit();
        self.arena.deinit();
    }
};

test "every code is its Zig error" {
    const c = statelog.c;
    try testing.expectEqual(@as(?statelog.Error, null), statelog.errorFromCode(c.STATELOG_OK));
    const want = [_]struct { c_int, statelog.Error }{
        .{ c.STATELOG_NOT_FOUND, error.NotFound },
        .{ c.STATELOG_CORRUPTION, error.Corruption },
        .{ c.STATELOG_INVALID_ARGUMENT, error.InvalidArgument },
        .{ c.STATELOG_IO_ERROR, error.IOError },
        .{ c.STATELOG_OUT_OF_RANGE, error.OutOfRange },
        .{ c.STATELOG_FAILED_PRECONDITION, error.FailedPrecondition },
        .{ c.STATELOG_ALREADY_EXISTS, error.AlreadyExists },
        .{ c.STATELOG_BUSY, error.Busy },
        .{ c.STATELOG_NOT_SUPPORTED, error.NotSupported },
        .{ c.STATELOG_ABORTED, error.Aborted },
        .{ c.STATELOG_CONFLICT, error.Conflict },
        .{ c.STATELOG_NO_SPACE, error.NoSpace },
        .{ c.STATELOG_NO_SPACE + 1, error.Unknown },
    };
    for (want) |pair| {
        try testing.expectEqual(@as(?statelog.Error, pair[1]), statelog.errorFromCode(pair[0]));
        // The error's name is the library's name of the code.
        if (pair[1] != error.Unknown) {
            try testing.expectEqualStrings(std.mem.span(c.statelog_code_name(pair[0])), @errorName(pair[1]));
        }
    }
}

// Every example of docs/architecture/event-types.md (one per type, 23) and the fixture history:
// decoded into the union, encoded again with and without the id, completed by the library, they
// give back the recorded canonical line, id included.
test "every event type round-trips to its canonical JSON" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const a = arena.allocator();
    const docs = try eventLines(a, "docs/architecture/event-types.md");
    const history = try eventLines(a, "tests/fixtures/format1/rocksdb-export.jsonl");
    var seen = std.StringHashMap(void).init(a);
    for ([_][]const []const u8{ docs, history }) |lines| {
        for (lines) |line| {
            const e = try Event.fromJson(a, line);
            try seen.put(@tagName(e), {});
            try testing.expectEqualStrings(line[7..73], e.id().?);
            errdefer std.debug.print("event {s}: {s}\n", .{ line, statelog.lastError() });
            try testing.expectEqualStrings(line, try statelog.completeEvent(a, e));
            try testing.expectEqualStrings(line, try statelog.completeEvent(a, e.withId(null)));
        }
    }
    try testing.expectEqual(@as(usize, 23), docs.len);
    try testing.expectEqual(@as(usize, std.meta.fields(Event).len), seen.count());
}

test "fromJson names what it cannot decode" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const a = arena.allocator();
    try testing.expectError(error.UnknownEventType, Event.fromJson(a, "{\"type\":\"nothing\",\"ts\":1}"));
    try testing.expectError(error.MissingType, Event.fromJson(a, "{\"ts\":1}"));
    try testing.expectError(error.MissingField, Event.fromJson(a, "{\"type\":\"objective_approved\",\"ts\":1}"));
    try testing.expectError(error.UnknownField, Event.fromJson(a, "{\"type\":\"objective_approved\",\"ts\":1,\"objective_id\":\"x\",\"extra\":1}"));
}

/// A subscriber that counts events and keeps the last one's type and offset.
const Received = struct {
    mutex: std.Thread.Mutex = .{},
    count: usize = 0,
    last_offset: u64 = 0,
    last_type: [32]u8 = undefined,
    last_type_len: usize = 0,

    fn onEvent(context: ?*anyopaque, e: Event, offset: statelog.EventOffset) anyerror!void {
        const self: *Received = @ptrCast(@alignCast(context));
        self.mutex.lock();
        defer self.mutex.unlock();
        self.count += 1;
        self.last_offset = offset;
        const name = @tagName(e);
        @memcpy(self.last_type[0..name.len], name);
        self.last_type_len = name.len;
    }
};

test "a funded channel and a payment: append, read, reconstruct, subscribe" {
    var setup = try Setup.init();
    defer setup.deinit();
    const store = setup.store;
    try testing.expectEqual(@as(u64, 0), try store.len());

    // Typed events without ids: the library gives each the id recorded in the fixture.
    for (0..history_events - 1) |i| {
        try testing.expectEqual(@as(u64, i), try store.append((try setup.event(i)).withId(null)));
    }
    try testing.expectEqual(@as(u64, history_events - 1), try store.len());

    // A subscription from offset 30 gets the history, then the payment appended after it.
    var received = Received{};
    const sub = try store.subscribe(30, Received.onEvent, &received);
    defer sub.deinit();
    try sub.wait(history_events - 1);
    try testing.expectEqual(@as(usize, history_events - 1 - 30), received.count);
    const payment = (try setup.event(history_events - 1)).withId(null);
    try testing.expectEqual(@as(u64, history_events - 1), try store.append(payment));
    try sub.wait(history_events);
    try testing.expectEqual(@as(usize, history_events - 30), received.count);
    try testing.expectEqual(@as(u64, history_events - 1), received.last_offset);
    try testing.expectEqualStrings("voucher_received", received.last_type[0..received.last_type_len]);
    // Appending it again is a retry: its original offset.
    try testing.expectEqual(@as(u64, history_events - 1), try store.append(payment));
    try testing.expectEqual(@as(u64, history_events), try store.len());

    // Read back: every event with the fixture's id.
    var all = try store.readFrom(0);
    defer all.deinit();
    try testing.expectEqual(@as(usize, history_events), all.items.len);
    for (all.items, setup.lines[0..history_events]) |e, line| {
        try testing.expectEqualStrings(line[7..73], e.id().?);
    }
    var range = try store.readRange(9, 10);
    defer range.deinit();
    try testing.expectEqual(@as(usize, 1), range.items.len);
    try testing.expectEqualStrings(channel, range.items[0].state_signed.channel_id);
    try testing.expectEqual(@as(u64, 0), range.items[0].state_signed.state.turn_num);
    try testing.expectEqual(@as(i64, 1796185689269899), range.items[0].timestamp());

    // The channel now: 8 of the events are its own (1, 9, 15, 17, 22, 24, 28, 34), funded and paid.
    const reconstructor = try statelog.StateReconstructor.init(testing.allocator, store);
    defer reconstructor.deinit();
    var now = try reconstructor.reconstructChannel(channel);
    defer now.deinit();
    try testing.expectEqualStrings(channel, now.value.object.get("id").?.string);
    try testing.expectEqual(@as(i64, 8), now.value.object.get("event_count").?.integer);
    try testing.expectEqual(@as(i64, 34), now.value.object.get("last_offset").?.integer);
    try testing.expectEqual(@as(i64, 1), now.value.object.get("latest_supported").?.integer);
    try testing.expectEqualStrings("10", now.value.object.get("received").?.string);
    // As of offset 16: created and prefunded (1, 9, 15), nothing deposited, nothing paid.
    var before = try reconstructor.reconstructChannelAsOf(channel, 16);
    defer before.deinit();
    try testing.expectEqual(@as(i64, 3), before.value.object.get("event_count").?.integer);
    try testing.expectEqual(@as(i64, 15), before.value.object.get("last_offset").?.integer);
    try testing.expectEqual(@as(usize, 0), before.value.object.get("holdings").?.array.items.len);
    try testing.expectEqualStrings("0", before.value.object.get("received").?.string);
    var objective = try reconstructor.reconstructObjectiveAsOf("DirectFunding-" ++ channel, 2);
    defer objective.deinit();
    try testing.expectEqualStrings("CompletePrefund", objective.value.object.get("waiting_for").?.string);
    var completed = try reconstructor.reconstructObjective("DirectFunding-" ++ channel);
    defer completed.deinit();
    try testing.expectEqualStrings("Completed", completed.value.object.get("status").?.string);
}

test "statelog's errors arrive as Zig errors with the library's message" {
    var setup = try Setup.init();
    defer setup.deinit();
    const store = setup.store;

    // A wrong id is refused, and nothing is stored.
    const first = try setup.event(0);
    const wrong = "0x" ++ "00" ** 32;
    try testing.expectError(error.InvalidArgument, store.append(first.withId(wrong)));
    try testing.expectEqualStrings("InvalidArgument: id does not match the content: id is " ++ wrong ++
        ", content hashes to 0xacd54091914843a7c66677d61ed0b5cacf326d1bcd9da3c7102cd858bea734f0", statelog.lastError());
    // An illegal history: progress of an objective that was never created.
    try testing.expectError(error.FailedPrecondition, store.append(try setup.event(2)));
    try testing.expectEqualStrings("FailedPrecondition: objective DirectFunding-0x39ffcf59b85ada1fea22a2632429f7a8daf7b39840238002daa91ef14a00fc47 does not exist", statelog.lastError());
    try testing.expectEqual(@as(u64, 0), try store.len());

    _ = try store.append(first);
    try testing.expectError(error.Conflict, store.appendExpecting(try setup.event(1), 0));
    try testing.expectEqualStrings("Conflict: expected the log to hold 0 records; it holds 1", statelog.lastError());
    try testing.expectError(error.OutOfRange, store.readRange(1, 2));
    try testing.expectEqualStrings("OutOfRange: statelog_read: range [1, 2) is not within the log's 1 events", statelog.lastError());
    const reconstructor = try statelog.StateReconstructor.init(testing.allocator, store);
    defer reconstructor.deinit();
    try testing.expectError(error.NotFound, reconstructor.reconstructChannel(channel));
    try testing.expectEqualStrings("NotFound: channel " ++ channel, statelog.lastError());
    try testing.expectError(error.InvalidArgument, reconstructor.reconstructChannel("0x12"));
    try testing.expectEqualStrings("InvalidArgument: statelog_channel: id: hex must have 64 digits, has 2", statelog.lastError());

    try testing.expectError(error.InvalidArgument, statelog.EventStore.init(testing.allocator, "memory:", .{ .node = "0x12" }));
    try testing.expectEqualStrings("InvalidArgument: statelog_open: node: hex must have 40 digits, has 2", statelog.lastError());
}

test "a callback's error stops its subscription" {
    var setup = try Setup.init();
    defer setup.deinit();
    const store = setup.store;
    _ = try store.append(try setup.event(0));
    const Refuse = struct {
        fn onEvent(_: ?*anyopaque, _: Event, _: statelog.EventOffset) anyerror!void {
            return error.NotWanted;
        }
    };
    const sub = try store.subscribe(0, Refuse.onEvent, null);
    defer sub.deinit();
    try testing.expectError(error.Aborted, sub.wait(1));
    try testing.expectEqualStrings("Aborted: subscription 1: callback threw at offset 0: the callback returned 2", statelog.lastError());
}
