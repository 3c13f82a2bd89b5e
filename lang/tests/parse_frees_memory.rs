//! Parsing frees everything it allocates: a REPL, a notebook kernel or a language server
//! parses thousands of times, so memory that one parse keeps is a leak that grows without
//! bound. (The grammar was once a reference cycle, leaked whole on every parse.)
//!
//! Its own test binary, with one test, so that the allocation count is this test's alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn parsing_again_and_again_keeps_no_memory() {
    // Statements, blocks, functions, an interpolated string and syntax errors with recovery.
    let text = "fn f(x) { if x > 0 { return x } else { return -x } }\n\
                v = [1, 2; 3, 4]\nfor i in 1:3 { print(\"i = {i + 1}\") }\n\
                y = (t) -> t^2 +\nz = [1 2]\n)\n";
    let parse = || {
        let mut sources = mml_lang::SourceMap::new();
        let id = sources.add("<leak>", text);
        let parsed = mml_lang::parse_program(id, text);
        assert!(!parsed.diagnostics.is_empty());
        for d in &parsed.diagnostics {
            assert!(!d.render(&sources, false).is_empty());
        }
    };
    // The first parses may fill lazily initialised tables; measure after them.
    for _ in 0..5 {
        parse();
    }
    let before = LIVE.load(Ordering::Relaxed);
    for _ in 0..200 {
        parse();
    }
    let kept = LIVE.load(Ordering::Relaxed) - before;
    assert!(kept < 4096, "200 parses kept {kept} bytes: something one parse allocates is never freed");
}
