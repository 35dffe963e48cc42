/*
 * clibpci.h — a small, non-variadic, non-exiting façade over libpci (pciutils 3.x) for Swift.
 *
 * Why this exists:
 *  - `pci_lookup_name()` is variadic (lib/pci.h), and Swift cannot call C variadic functions.
 *  - libpci's default error handler prints and calls exit(1) (lib/init.c `pci_generic_error`);
 *    a probe must never end the process because /sys is missing. Every function below installs
 *    recording handlers and runs libpci under setjmp, so a libpci error becomes a return code and
 *    a message, never an exit.
 *  - Swift never touches libpci's own structs: it sees only the opaque handle and the plain
 *    `specfit_pci_device` record, so the header does not depend on the installed pci.h layout.
 *
 * Every function is safe to call from any thread; one handle must not be used by two threads at once.
 */
#ifndef SPECFIT_CLIBPCI_H
#define SPECFIT_CLIBPCI_H

#ifdef __cplusplus
extern "C" {
#endif

/// Size of the message buffers below, in bytes (NUL included).
#define SPECFIT_PCI_MESSAGE_SIZE 512
/// Size of `specfit_pci_device.driver`, in bytes (NUL included). Linux driver names are < 32 bytes.
#define SPECFIT_PCI_DRIVER_SIZE 64

/// One PCI function as libpci reports it through the sysfs access method.
typedef struct specfit_pci_device {
    int domain;                 ///< PCI domain (0…0x7fffffff).
    int bus;                    ///< 0…255
    int dev;                    ///< 0…31
    int func;                   ///< 0…7
    int vendor_id;              ///< 16-bit vendor id (`vendor` file).
    int device_id;              ///< 16-bit device id (`device` file).
    int device_class;           ///< 16-bit base class << 8 | subclass (`class` file >> 8); 0x03xx = display.
    int prog_if;                ///< programming interface (`class` file & 0xff).
    int revision;               ///< revision id (`revision` file), -1 when unknown.
    int subsys_vendor_id;       ///< subsystem vendor id, -1 when unknown.
    int subsys_device_id;       ///< subsystem device id, -1 when unknown.
    char driver[SPECFIT_PCI_DRIVER_SIZE]; ///< last path component of the `driver` symlink, "" when none.
} specfit_pci_device;

/// An opened libpci session with its own error and warning records.
typedef struct specfit_pci specfit_pci;

/// Opens libpci on the sysfs PCI tree `sysfs_bus_pci` (the directory that holds `devices/`, e.g.
/// "/sys/bus/pci"), with names from `pci_ids_path` (NULL: libpci's compiled-in default).
/// Forces the Linux sysfs access method, turns off udev hwdb, DNS and the ~/.pciids-cache so that
/// names come only from the given pci.ids file. Returns NULL only when memory runs out or libpci
/// rejects the method; then `error` (SPECFIT_PCI_MESSAGE_SIZE bytes, may be NULL) says why.
specfit_pci *specfit_pci_open(const char *sysfs_bus_pci, const char *pci_ids_path, char *error);

/// Scans the bus and reads every device's identity, class, revision, subsystem and driver.
/// Returns the number of devices, or -1 when libpci reported an error (message in `error`).
int specfit_pci_scan(specfit_pci *pci, char *error);

/// Copies device `index` (0 ≤ index < the count `specfit_pci_scan` returned) into `out`.
/// Returns 0, or -1 when the index is out of range.
int specfit_pci_device_at(const specfit_pci *pci, int index, specfit_pci_device *out);

/// Device name from pci.ids ("AD102 [GeForce RTX 4090]") into `buf` of `size` bytes.
/// Returns 1 when found, 0 when pci.ids has no entry (or is missing), -1 on a libpci error.
int specfit_pci_lookup_device_name(specfit_pci *pci, char *buf, int size, int vendor, int device);

/// Vendor name from pci.ids ("NVIDIA Corporation"); same return values as above.
int specfit_pci_lookup_vendor_name(specfit_pci *pci, char *buf, int size, int vendor);

/// Subsystem (board) name from pci.ids for (vendor, device, subvendor, subdevice); libpci falls
/// back to the generic subsystem and then the device name. Same return values as above.
int specfit_pci_lookup_subsystem_name(specfit_pci *pci, char *buf, int size, int vendor, int device,
                                      int subsys_vendor, int subsys_device);

/// The warnings libpci printed so far, joined by "\n" ("" when none), copied into `buf`.
void specfit_pci_warnings(const specfit_pci *pci, char *buf, int size);

/// Releases the session. NULL is allowed.
void specfit_pci_close(specfit_pci *pci);

#ifdef __cplusplus
}
#endif

#endif /* SPECFIT_CLIBPCI_H */
