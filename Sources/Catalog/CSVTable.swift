import Foundation
import SwiftCSV

/// A parsed CSV table with named columns and 1-based file line numbers for error messages.
struct CSVTable {
    let name: String
    let header: [String]
    let rows: [[String: String]]

    init(name: String, text: String) throws {
        let csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false)
        self.name = name
        self.header = csv.header
        var rows: [[String: String]] = []
        for (i, r) in csv.rows.enumerated() {
            guard r.count == csv.header.count else {
                throw CatalogError.badRow(table: name, line: i + 2, reason: "\(r.count) fields, the header has \(csv.header.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(csv.header, r)))
        }
        self.rows = rows
    }
}

/// Typed access to one CSV row, with errors naming the table, line and column.
struct CSVRow {
    let table: String
    let line: Int
    let fields: [String: String]

    func string(_ c: String) throws -> String {
        guard let v = fields[c] else { throw CatalogError.badRow(table: table, line: line, reason: "missing column \(c)") }
        return v
    }
    func nonEmpty(_ c: String) throws -> String {
        let v = try string(c)
        guard !v.isEmpty else { throw CatalogError.badRow(table: table, line: line, reason: "\(c) is empty") }
        return v
    }
    func int(_ c: String) throws -> Int {
        let v = try string(c)
        if v.isEmpty { return 0 }
        guard let i = Int(v) else { throw CatalogError.badRow(table: table, line: line, reason: "\(c) '\(v)' is not an integer") }
        return i
    }
    func optInt(_ c: String) throws -> Int? { try string(c).isEmpty ? nil : try int(c) }
    func double(_ c: String) throws -> Double {
        let v = try string(c)
        if v.isEmpty { return 0 }
        guard let d = Double(v) else { throw CatalogError.badRow(table: table, line: line, reason: "\(c) '\(v)' is not a number") }
        return d
    }
    func optDouble(_ c: String) throws -> Double? { try string(c).isEmpty ? nil : try double(c) }
    func bool(_ c: String) throws -> Bool {
        switch try string(c).lowercased() {
        case "1", "true", "yes": true
        case "0", "false", "no", "": false
        case let v: throw CatalogError.badRow(table: table, line: line, reason: "\(c) '\(v)' is not 0 or 1")
        }
    }
    func list(_ c: String) throws -> [String] {
        try string(c).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
