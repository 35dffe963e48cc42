import Foundation

/// A parsed CSV table (RFC 4180: comma-separated, `"` quotes, `""` inside quotes) with named columns and the
/// 1-based file line where each record starts, for error messages that point at the row.
struct CSVTable {
    /// One data record: the line it starts on and its fields by column name.
    struct Record {
        var line: Int
        var fields: [String: String]
    }

    let name: String
    let header: [String]
    let records: [Record]
    var rows: [[String: String]] { records.map(\.fields) }

    /// - Throws: ``CatalogError/badRow(table:line:reason:)`` naming the line of an unterminated quote, a field count
    ///   that differs from the header's, an empty or repeated header column, or text that is not a CSV table.
    init(name: String, text: String) throws {
        self.name = name
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        let parsed = try Self.parse(body, table: name)
        guard let first = parsed.first else {
            throw CatalogError.badRow(table: name, line: 1, reason: "the file is empty: a CSV table needs a header line naming its columns")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for (i, c) in header.enumerated() {
            guard !c.isEmpty else {
                throw CatalogError.badRow(table: name, line: first.line, reason: "header column \(i + 1) has no name")
            }
            guard seen.insert(c).inserted else {
                throw CatalogError.badRow(table: name, line: first.line, reason: "header names column \(c) twice")
            }
        }
        self.header = header
        var records: [Record] = []
        for r in parsed.dropFirst() {
            guard r.fields.count == header.count else {
                throw CatalogError.badRow(table: name, line: r.line, reason: "\(r.fields.count) fields, the header has \(header.count): check for an unquoted comma or a missing field")
            }
            records.append(Record(line: r.line, fields: Dictionary(uniqueKeysWithValues: zip(header, r.fields))))
        }
        self.records = records
    }

    /// Splits CSV text into records of raw fields, skipping blank lines; a record may span lines inside quotes.
    static func parse(_ text: Substring, table: String) throws -> [(line: Int, fields: [String])] {
        var out: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1, quoteLine = 1
        var inQuotes = false, fieldWasQuoted = false, afterQuote = false
        var chars = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) { out.append((recordLine, fields)) }
            fields = []; field = ""; fieldWasQuoted = false; afterQuote = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; afterQuote = true; pending = n }
                    } else {
                        inQuotes = false; afterQuote = true
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field); field = ""; fieldWasQuoted = false; afterQuote = false
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true; fieldWasQuoted = true; quoteLine = line
            default:
                if afterQuote {
                    throw CatalogError.badRow(table: table, line: line, reason: "text after a closing quote in field \(fields.count + 1): a quote inside a quoted field is written twice (\"\")")
                }
                field.append(c)
            }
        }
        if inQuotes {
            throw CatalogError.badRow(table: table, line: quoteLine, reason: "a quoted field opened here is never closed: add the closing \" (the rest of the file was read as one field)")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return out
    }

    /// One field written for a CSV file: quoted when it holds a comma, quote, line break or outer spaces.
    static func quote(_ s: String) -> String {
        let needs = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            || s.first?.isWhitespace == true || s.last?.isWhitespace == true
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A CSV text with `header` and `rows` (missing fields empty), ending with a newline.
    static func write(header: [String], rows: [[String: String]]) -> String {
        var lines = [header.map(quote).joined(separator: ",")]
        for r in rows { lines.append(header.map { quote(r[$0] ?? "") }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
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
