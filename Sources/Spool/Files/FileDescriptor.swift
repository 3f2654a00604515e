//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls the spool makes, so every failure names its call and path.
enum POSIX {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var path: String
        var errno: Int32

        var description: String { "\(self.call)(\(self.path)) failed: \(String(cString: strerror(self.errno)))" }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(call: "open", path: path, errno: errno) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        guard Glibc.fsync(fd) == 0 else { throw Failure(call: "fsync", path: path, errno: errno) }
    }

    static func fdatasync(_ fd: Int32, path: String) throws {
        guard Glibc.fdatasync(fd) == 0 else { throw Failure(call: "fdatasync", path: path, errno: errno) }
    }

    /// fsync of a folder: makes the names created or renamed in it durable.
    static func syncDirectory(_ path: String) throws {
        let fd = try self.open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        try self.fsync(fd, path: path)
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw Failure(call: "rename", path: from, errno: errno) }
    }

    static func unlink(_ path: String) {
        _ = Glibc.unlink(path)
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func fileSize(_ path: String) -> Int? {
        var info = Glibc.stat()
        guard Glibc.lstat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Takes every permission but `mode`'s away from `path` (nothing when it does not exist).
    static func restrictMode(_ path: String, to mode: mode_t) {
        var info = Glibc.stat()
        guard Glibc.lstat(path, &info) == 0, info.st_mode & 0o777 & ~mode != 0 else { return }
        _ = Glibc.chmod(path, info.st_mode & 0o777 & mode)
    }

    static func makeDirectory(_ path: String) throws {
        if Glibc.mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw Failure(call: "mkdir", path: path, errno: errno)
        }
    }

    /// Takes an exclusive lock on `path` for the life of the process (released when it exits).
    /// Returns `nil` when another process holds it.
    static func lockExclusively(_ path: String) throws -> Int32? {
        let fd = try self.open(path, flags: O_RDWR | O_CREAT)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            Glibc.close(fd)
            if error == EWOULDBLOCK { return nil }
            throw Failure(call: "flock", path: path, errno: error)
        }
        return fd
    }

    static func readAll(_ path: String, offset: Int, length: Int) throws -> [UInt8] {
        let fd = try self.open(path, flags: O_RDONLY)
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < length {
                let count = Glibc.pread(fd, buffer.baseAddress! + done, length - done, off_t(offset + done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw Failure(call: "pread", path: path, errno: count == 0 ? EIO : errno) }
                done += count
            }
        }
        return bytes
    }
}
