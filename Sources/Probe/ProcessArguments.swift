import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's command line, also where `/proc` is not mounted.
///
/// On Linux the Swift runtime fills `CommandLine.arguments` from `/proc/self/cmdline`; in a chroot or a
/// container without `/proc` it is empty, and a command-line parser then sees no subcommand at all
/// (`chroot /tmp/chroot /specfit probe` printed the top-level help). The arguments are still in memory:
/// at process start the stack holds `argc`, the `argv` pointers, a NULL, then the `envp` pointers that
/// `environ` points at (System V ABI, AMD64 Architecture Processor Supplement §3.4.1 "Initial Stack and
/// Register State", Figure 3.9; the AArch64 ELF ABI keeps the same layout), so walking back from `environ`
/// finds them. Valid only while `environ` is still the initial array — call this at the start of `main`,
/// before anything calls `setenv`.
public enum ProcessArguments {
    /// `CommandLine.arguments` when the runtime could read them, else the initial stack's, else [].
    public static func commandLine() -> [String] {
        if !CommandLine.arguments.isEmpty { return CommandLine.arguments }
        return fromInitialStack() ?? []
    }

    /// argv recovered from below the initial environment array, or nil when the layout is not the expected one.
    static func fromInitialStack() -> [String]? {
        #if os(Linux)
        let initial: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard let initial else { return nil }
        let slots = UnsafeRawPointer(initial).assumingMemoryBound(to: UInt.self)
        guard slots[-1] == 0 else { return nil }  // argv's terminating NULL
        // slots[-2 - n] is argc when it holds the number n of argv pointers between it and the NULL; an argv
        // pointer is a stack address, never a small integer, so the first match is argc.
        for count in 0..<4096 {
            let value = slots[-2 - count]
            if value == UInt(count) {
                return (0..<count).compactMap { index in
                    UnsafePointer<CChar>(bitPattern: slots[-1 - count + index]).map { String(cString: $0) }
                }
            }
            if value == 0 { return nil }
        }
        #endif
        return nil
    }
}
