//! Builds and tests the statelog Zig package (Zig 0.11.0) against an installed statelog:
//! `-Dstatelog-prefix=DIR` (DIR/include, DIR/lib), or else pkg-config's module "statelog".
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const prefix = b.option([]const u8, "statelog-prefix", "where statelog is installed (default: pkg-config)");
    const repo = b.option([]const u8, "repo", "the statelog source tree, whose fixtures the tests read") orelse
        b.pathFromRoot("../..");

    _ = b.addModule("statelog", .{ .source_file = .{ .path = "src/statelog.zig" } });

    const tests = b.addTest(.{
        .root_source_file = .{ .path = "src/statelog_test.zig" },
        .target = target,
        .optimize = optimize,
    });
    tests.linkLibC();
    if (prefix) |dir| {
        tests.addIncludePath(.{ .path = b.pathJoin(&.{ dir, "include" }) });
        tests.addLibraryPath(.{ .path = b.pathJoin(&.{ dir, "lib" }) });
        tests.addRPath(.{ .path = b.pathJoin(&.{ dir, "lib" }) });
        tests.linkSystemLibrary2("statelog", .{ .use_pkg_config = .no });
    } else {
        tests.linkSystemLibrary2("statelog", .{ .use_pkg_config = .force });
    }
    const options = b.addOptions();
    options.addOption([]const u8, "repo", repo);
    tests.addOptions("test_options", options);

    const run = b.addRunArtifact(tests);
    run.has_side_effects = true; // the tests use a store: run them every time
    b.step("test", "Run the package's tests").dependOn(&run.step);
}
