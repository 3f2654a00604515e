//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A change to a message's top-level header.
public enum HeaderEdit: Hashable, Sendable {
    /// Replaces the first field named `name` in place (removing any others), or adds it at the top.
    case set(name: String, value: String)
    /// Adds a field at the top (as trace fields and signatures are added).
    case prepend(name: String, value: String)
    /// Removes every field named `name`.
    case remove(name: String)
}

extension HeaderEdit {
    /// Applies `edits` to `fields` in order, returning the new list of fields.
    static func apply(_ edits: [HeaderEdit], to fields: [HeaderField], lineEnding: [UInt8]) -> [HeaderField] {
        var fields = fields
        for edit in edits {
            switch edit {
            case .set(let name, let value):
                let field = HeaderField(raw: HeaderFolding.fold(name: name, value: value, lineEnding: lineEnding))
                if let first = fields.firstIndex(where: { $0.hasName(name) }) {
                    fields[first] = field
                    fields = fields.enumerated().filter { $0.offset == first || !$0.element.hasName(name) }.map(
                        \.element
                    )
                } else {
                    fields.insert(field, at: 0)
                }
            case .prepend(let name, let value):
                fields.insert(
                    HeaderField(raw: HeaderFolding.fold(name: name, value: value, lineEnding: lineEnding)),
                    at: 0
                )
            case .remove(let name):
                fields.removeAll { $0.hasName(name) }
            }
        }
        return fields
    }
}
