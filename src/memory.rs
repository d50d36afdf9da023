//! Handing freed memory back to the kernel, and not holding on to it in the first place.

/// Allocations at least this large get pages of their own, handed back when freed: above an
/// export's batch (4 096 facts, 0.4 MB), so its batches reuse their arena's pages.
const MMAP_THRESHOLD: i32 = 1024 * 1024;
/// Free memory at the top of an arena beyond this goes back to the kernel: about what a thread
/// works on for one batch of an export, so the next batch finds its pages still there.
const TRIM_THRESHOLD: i32 = 1024 * 1024;

/// Fixes glibc's thresholds. Left to itself glibc raises them to the largest block with pages
/// of its own freed so far (twice that for the trim), for good: after one large block every
/// thread that worked on an export kept megabytes free, 37.6 of the 44 MiB its arenas held at
/// the export's peak (9.6 M rows, benches/export's database), and a larger block (an upload, a
/// page of JSON) would have raised it further. With the batches rendered in pieces the NDJSON
/// export's peak is 36.6-36.9 MiB with these thresholds, 34.5 with a trim at 128 KiB but 4x the
/// page faults (0.8 M, 1.3 s more system time), 38.6-40.4 with a trim at 2 MiB. An mmap
/// threshold of 256 KiB gave the batches' own blocks fresh pages each time: a third more CPU.
/// MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ in the environment, or GLIBC_TUNABLES,
/// still decide when set. Called first thing, before any thread starts.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set = |name| std::env::var_os(name).is_some();
        if [
            "MALLOC_MMAP_THRESHOLD_",
            "MALLOC_TRIM_THRESHOLD_",
            "GLIBC_TUNABLES",
        ]
        .into_iter()
        .any(set)
        {
            return;
        }
        // SAFETY: mallopt only changes a parameter of glibc's allocator; allocations made
        // before keep working, and no other thread allocates yet.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        }
    }
}

/// glibc keeps freed pages in the arena of the thread that freed them unless asked to give them
/// back. Asked once per worker start (each worker collects the whole contract while it
/// registers its routes and drops it at once), idle memory went from 42 to 29 MiB
/// (benches/share); asked after the deadline job, a replica on 548 agreements went from 51 back
/// to 30 MiB once the job had run (benches/export's database). The code only start-up ran goes
/// too (`release_code_pages`).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages of glibc's arenas back to the kernel; it
    // touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
    release_code_pages();
}

/// Lets go of the pages of this program's own code that are mapped now. Start-up runs much
/// code only once (the migrations, the reference data, the contract each worker builds its
/// routes from), and the kernel maps code in blocks around every page touched: 11.8 MB of the
/// binary were resident in an idle replica, most of it never run again. The pages are clean
/// copies of the file and stay in the page cache; what is run again is mapped again on its
/// first use. Idle resident memory went from 30.8 to 19.7 MiB on PostgreSQL and from 29.4 to
/// 16.9 MiB on SQLite (benches/share).
fn release_code_pages() {
    #[cfg(target_os = "linux")]
    {
        let (Ok(exe), Ok(maps)) = (
            std::fs::read_link("/proc/self/exe"),
            std::fs::read_to_string("/proc/self/maps"),
        ) else {
            return;
        };
        for (start, end) in own_code(&maps, &exe.to_string_lossy()) {
            // SAFETY: the range is a read-only, executable mapping of the program's file,
            // never written: dropping its pages loses nothing, the next use reads them again.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
}

/// The address ranges of `maps` (as /proc/self/maps lists them) that map `exe`'s code.
fn own_code<'a>(maps: &'a str, exe: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    maps.lines().filter_map(move |line| {
        // start-end perms offset device inode   path
        let mut fields = line.splitn(6, ' ');
        let range = fields.next()?;
        let perms = fields.next()?;
        let path = fields.nth(3)?.trim_start();
        if perms != "r-xp" || path != exe {
            return None;
        }
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        (end > start).then_some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_programs_own_code_is_let_go() {
        let maps = "\
55d0c0000000-55d0c0200000 r--p 00000000 08:01 42   /srv/zv monitor
55d0c0200000-55d0c1400000 r-xp 00200000 08:01 42   /srv/zv monitor
55d0c1400000-55d0c1600000 rw-p 01400000 08:01 42   /srv/zv monitor
7f0000000000-7f0000100000 r-xp 00000000 08:01 77   /usr/lib/libc.so.6
7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0    [vdso]";
        let ranges: Vec<_> = own_code(maps, "/srv/zv monitor").collect();
        assert_eq!(ranges, [(0x55d0_c020_0000, 0x55d0_c140_0000)]);
    }
}
