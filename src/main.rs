//! `flow-playground`: train, sample and benchmark flow-matching models from the command line.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_freed_memory();
    if let Err(message) = cli::run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

/// Keeps freed memory in glibc's heap. By default glibc hands a freed block above its adaptive
/// threshold back to the system and trims the heap top beyond twice that; training frees and
/// allocates the same ~1 MB activations every step, so each step faulted fresh zeroed pages in
/// again (8% of a 3×256, batch 1024 step in the kernel, with TLB shootdowns between threads).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: `mallopt` only sets allocator parameters; no other thread exists yet.
    unsafe {
        // Blocks up to 32 MiB (glibc's ceiling) come from the heap, and up to 256 MiB of free heap
        // top stays mapped for the next step. The second alone (which fixes the first at its
        // 128 KiB default) would be worse than neither, so only with the first.
        if libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20) == 1 {
            libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
