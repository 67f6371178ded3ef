// 128-bit intermediates for exact money arithmetic (amount x rate products overflow 64 bits).
#pragma once

namespace tower {
__extension__ typedef __int128 Int128;  // GCC and Clang (native and wasm32) both provide it
}  // namespace tower
