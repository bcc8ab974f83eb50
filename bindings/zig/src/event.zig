//! statelog's events as Zig values: one struct per event type, with the fields of the type's
//! canonical JSON (docs/architecture/event-types.md) under the same names. Byte strings, hashes,
//! addresses and signatures are "0x" hex text; uint256 amounts are decimal text; other integers
//! are integers. Every struct has `id` (null for an event not yet appended: the library computes
//! it) and `ts`, microseconds since the Unix epoch.
const std = @import("std");
const Allocator = std.mem.Allocator;

/// An event's position in the log.
pub const EventOffset = u64;

// Nested Nitro types (include/statelog/state.h).

pub const Allocation = struct {
    destination: []const u8,
    amount: []const u8,
    allocation_type: u8 = 0,
    metadata: []const u8 = "0x",
};
pub const AssetMetadata = struct {
    asset_type: u8 = 0,
    metadata: []const u8 = "0x",
};
pub const SingleAssetExit = struct {
    asset: []const u8,
    asset_metadata: AssetMetadata = .{},
    allocations: []const Allocation,
};
pub const FixedPart = struct {
    participants: []const []const u8,
    channel_nonce: u64,
    app_definition: []const u8,
    challenge_duration: u32,
};
pub const VariablePart = struct {
    app_data: []const u8 = "0x",
    outcome: []const SingleAssetExit,
    turn_num: u64,
    is_final: bool = false,
};
pub const Proposal = struct {
    kind: []const u8, // "add" or "remove"
    target: []const u8,
    amount: []const u8,
    left: []const u8,
    right: []const u8,
    left_amount: []const u8,
};
pub const ImportedFile = struct {
    name: []const u8,
    size: u64,
    digest: []const u8,
};
pub const StateSignature = struct {
    signer: []const u8,
    signature: []const u8,
};

// The event types, in include/statelog/event.h's order.

pub const ObjectiveCreated = struct {
    id: ?[]const u8 = null,
    ts: i64,
    objective_id: []const u8,
    channels: []const []const u8,
    approved: bool,
};
pub const ObjectiveApproved = struct {
    id: ?[]const u8 = null,
    ts: i64,
    objective_id: []const u8,
};
pub const ObjectiveRejected = struct {
    id: ?[]const u8 = null,
    ts: i64,
    objective_id: []const u8,
    reason: []const u8,
};
pub const ObjectiveCompleted = ObjectiveApproved;
pub const ObjectiveProgressed = struct {
    id: ?[]const u8 = null,
    ts: i64,
    objective_id: []const u8,
    waiting_for: []const u8, // "CompletePrefund", "MyTurnToFund", ...
};
pub const ChannelCreated = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    fixed: FixedPart,
};
/// state_signed and state_received.
pub const SignedState = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    state: VariablePart,
    state_hash: []const u8,
    signer: []const u8,
    signature: []const u8,
};
pub const DepositDetected = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    asset: []const u8,
    amount: []const u8,
    now_held: []const u8,
    block_number: u64,
};
pub const AllocationUpdated = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    asset: []const u8,
    now_held: []const u8,
    block_number: u64,
};
pub const ChallengeRegistered = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    turn_num: u64,
    finalizes_at: u64,
    block_number: u64,
};
pub const ChallengeCleared = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    turn_num: u64,
    block_number: u64,
};
pub const ChannelConcluded = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    finalized_at: u64,
    block_number: u64,
};
/// message_sent and message_received.
pub const Message = struct {
    id: ?[]const u8 = null,
    ts: i64,
    peer: []const u8,
    payload: []const u8,
};
/// voucher_sent and voucher_received: the cumulative `amount` paid in the channel.
pub const Voucher = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    amount: []const u8,
    signer: []const u8,
    signature: []const u8,
};
pub const SnapshotCreated = struct {
    id: ?[]const u8 = null,
    ts: i64,
    covers: u64,
    prefix_chain: []const u8,
    snapshot_digest: []const u8,
};
pub const StoreImported = struct {
    id: ?[]const u8 = null,
    ts: i64,
    source: []const u8,
    node: []const u8,
    files: []const ImportedFile,
    events: u64,
};
pub const LogCreated = struct {
    id: ?[]const u8 = null,
    ts: i64,
    node: []const u8,
    rules: u64,
};
/// proposal_signed and proposal_received.
pub const SignedProposal = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    proposal: Proposal,
    state: VariablePart,
    state_hash: []const u8,
    signer: []const u8,
    signature: []const u8,
};
pub const ChallengeRaised = struct {
    id: ?[]const u8 = null,
    ts: i64,
    channel_id: []const u8,
    state: VariablePart,
    state_hash: []const u8,
    signatures: []const StateSignature,
    finalizes_at: u64,
    block_number: u64,
};

/// One event of the log; the tag is the event's wire type name. Covers all 23 types.
pub const Event = union(enum) {
    objective_created: ObjectiveCreated,
    objective_approved: ObjectiveApproved,
    objective_rejected: ObjectiveRejected,
    objective_completed: ObjectiveCompleted,
    objective_progressed: ObjectiveProgressed,
    channel_created: ChannelCreated,
    state_signed: SignedState,
    state_received: SignedState,
    deposit_detected: DepositDetected,
    allocation_updated: AllocationUpdated,
    challenge_registered: ChallengeRegistered,
    challenge_cleared: ChallengeCleared,
    channel_concluded: ChannelConcluded,
    message_sent: Message,
    message_received: Message,
    voucher_sent: Voucher,
    voucher_received: Voucher,
    snapshot_created: SnapshotCreated,
    store_imported: StoreImported,
    log_created: LogCreated,
    proposal_signed: SignedProposal,
    proposal_received: SignedProposal,
    challenge_raised: ChallengeRaised,

    /// Returns the event's JSON ("type", "ts", the body's fields, and "id" unless it is null),
    /// allocated with `a`; the caller frees it. statelog accepts any member order and completes
    /// a missing id; its canonical form is what the store returns.
    pub fn toJson(self: Event, a: Allocator) ![]u8 {
        var out = std.ArrayList(u8).init(a);
        errdefer out.deinit();
        const w = out.writer();
        try w.writeAll("{\"type\":");
        try std.json.stringify(@tagName(self), .{}, w);
        switch (self) {
            inline else => |body| {
                var fields = std.ArrayList(u8).init(a);
                defer fields.deinit();
                try std.json.stringify(body, .{ .emit_null_optional_fields = false }, fields.writer());
                // `body` is a non-empty object: its members follow "type".
                try w.writeByte(',');
                try w.writeAll(fields.items[1..]);
            },
        }
        return out.toOwnedSlice();
    }

    /// Decodes one event's JSON. Allocates into `a` without freeing (pass an arena, and free
    /// the arena with the event). error.UnknownEventType for a type this package does not know,
    /// error.MissingType without "type", std.json's errors for anything else malformed.
    pub fn fromJson(a: Allocator, json: []const u8) !Event {
        var value = try std.json.parseFromSliceLeaky(std.json.Value, a, json, .{});
        if (value != .object) return error.UnexpectedToken;
        const type_value = value.object.get("type") orelse return error.MissingType;
        if (type_value != .string) return error.UnexpectedToken;
        const name = type_value.string;
        _ = value.object.orderedRemove("type");
        inline for (std.meta.fields(Event)) |field| {
            if (std.mem.eql(u8, field.name, name)) {
                const body = try std.json.parseFromValueLeaky(field.type, a, value, .{});
                return @unionInit(Event, field.name, body);
            }
        }
        return error.UnknownEventType;
    }

    /// Returns the event's timestamp (microseconds since the Unix epoch).
    pub fn timestamp(self: Event) i64 {
        return switch (self) {
            inline else => |body| body.ts,
        };
    }

    /// Returns the event's id ("0x" + 64 hex digits), or null when it has none yet.
    pub fn id(self: Event) ?[]const u8 {
        return switch (self) {
            inline else => |body| body.id,
        };
    }

    /// Returns the event with its id set to `new_id` (null: to be computed by the library).
    pub fn withId(self: Event, new_id: ?[]const u8) Event {
        var copy = self;
        switch (copy) {
            inline else => |*body| body.id = new_id,
        }
        return copy;
    }
};
