// Compatibility shim for TorchSharp's libLibTorchSharp.so on libstdc++ older than GCC 13.
//
// GCC 13 stopped giving every translation unit that includes <iostream> its own static
// std::ios_base::Init object; such TUs now reference std::ios_base_library_init()
// (versioned GLIBCXX_3.4.32) and GCC 13's libstdc++ initialises the standard streams itself.
// GCC 12's libstdc++ (Debian 12, Ubuntu 22.04) lacks that symbol, so the library does not load.
// The build marks that version need weak, unversions the symbol reference and adds this
// library as DT_NEEDED, so the reference binds here. See docs/torchsharp-native.md.
//
// Deliberately includes <ios>, not <iostream>: built with GCC 13 or newer, <iostream> would
// itself reference the GLIBCXX_3.4.32 symbol this file defines.
#include <ios>

namespace std
{
    // Same mangled name as libstdc++'s (_ZSt21ios_base_library_initv). Nothing to do here:
    // the static object below does the initialisation the GCC 13 library would have done.
    __attribute__((visibility("default"))) void ios_base_library_init();
    void ios_base_library_init() {}
}

namespace
{
    // Constructs std::cout, std::cerr, ... before libLibTorchSharp.so's own static
    // initialisers run (a DT_NEEDED dependency is initialised first), as the
    // `static ios_base::Init __ioinit` of pre-GCC 13 <iostream> would have.
    const std::ios_base::Init s_streams_init;
}
