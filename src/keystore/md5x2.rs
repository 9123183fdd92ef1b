//! MD5 over two independent inputs at once.
//!
//! JCEKS derives its key from two chains of 200,000 MD5 rounds, one per salt half. Each chain is
//! a strict dependency chain, so one at a time leaves most of the processor idle; two chains
//! stepped in lockstep let it overlap them, nearly halving the time on one core.

/// One MD5 compression for each of two lanes. `m[lane]` are the 16 little-endian message words.
#[inline(always)]
pub(crate) fn compress2(state: &mut [[u32; 4]; 2], m: &[[u32; 16]; 2]) {
    let mut a = [state[0][0], state[1][0]];
    let mut b = [state[0][1], state[1][1]];
    let mut c = [state[0][2], state[1][2]];
    let mut d = [state[0][3], state[1][3]];
    #[inline(always)]
    fn f(x: u32, y: u32, z: u32) -> u32 {
        (x & y) | (!x & z)
    }
    #[inline(always)]
    fn g(x: u32, y: u32, z: u32) -> u32 {
        (x & z) | (y & !z)
    }
    #[inline(always)]
    fn h(x: u32, y: u32, z: u32) -> u32 {
        x ^ y ^ z
    }
    #[inline(always)]
    fn i(x: u32, y: u32, z: u32) -> u32 {
        y ^ (x | !z)
    }
    macro_rules! step {
        ($f:ident, $a:ident, $b:ident, $c:ident, $d:ident, $g:expr, $k:expr, $s:expr) => {
            for l in 0..2 {
                $a[l] = $b[l].wrapping_add(
                    $a[l]
                        .wrapping_add($f($b[l], $c[l], $d[l]))
                        .wrapping_add($k)
                        .wrapping_add(m[l][$g])
                        .rotate_left($s),
                );
            }
        };
    }
    step!(f, a, b, c, d, 0, 0xd76aa478, 7);
    step!(f, d, a, b, c, 1, 0xe8c7b756, 12);
    step!(f, c, d, a, b, 2, 0x242070db, 17);
    step!(f, b, c, d, a, 3, 0xc1bdceee, 22);
    step!(f, a, b, c, d, 4, 0xf57c0faf, 7);
    step!(f, d, a, b, c, 5, 0x4787c62a, 12);
    step!(f, c, d, a, b, 6, 0xa8304613, 17);
    step!(f, b, c, d, a, 7, 0xfd469501, 22);
    step!(f, a, b, c, d, 8, 0x698098d8, 7);
    step!(f, d, a, b, c, 9, 0x8b44f7af, 12);
    step!(f, c, d, a, b, 10, 0xffff5bb1, 17);
    step!(f, b, c, d, a, 11, 0x895cd7be, 22);
    step!(f, a, b, c, d, 12, 0x6b901122, 7);
    step!(f, d, a, b, c, 13, 0xfd987193, 12);
    step!(f, c, d, a, b, 14, 0xa679438e, 17);
    step!(f, b, c, d, a, 15, 0x49b40821, 22);
    step!(g, a, b, c, d, 1, 0xf61e2562, 5);
    step!(g, d, a, b, c, 6, 0xc040b340, 9);
    step!(g, c, d, a, b, 11, 0x265e5a51, 14);
    step!(g, b, c, d, a, 0, 0xe9b6c7aa, 20);
    step!(g, a, b, c, d, 5, 0xd62f105d, 5);
    step!(g, d, a, b, c, 10, 0x02441453, 9);
    step!(g, c, d, a, b, 15, 0xd8a1e681, 14);
    step!(g, b, c, d, a, 4, 0xe7d3fbc8, 20);
    step!(g, a, b, c, d, 9, 0x21e1cde6, 5);
    step!(g, d, a, b, c, 14, 0xc33707d6, 9);
    step!(g, c, d, a, b, 3, 0xf4d50d87, 14);
    step!(g, b, c, d, a, 8, 0x455a14ed, 20);
    step!(g, a, b, c, d, 13, 0xa9e3e905, 5);
    step!(g, d, a, b, c, 2, 0xfcefa3f8, 9);
    step!(g, c, d, a, b, 7, 0x676f02d9, 14);
    step!(g, b, c, d, a, 12, 0x8d2a4c8a, 20);
    step!(h, a, b, c, d, 5, 0xfffa3942, 4);
    step!(h, d, a, b, c, 8, 0x8771f681, 11);
    step!(h, c, d, a, b, 11, 0x6d9d6122, 16);
    step!(h, b, c, d, a, 14, 0xfde5380c, 23);
    step!(h, a, b, c, d, 1, 0xa4beea44, 4);
    step!(h, d, a, b, c, 4, 0x4bdecfa9, 11);
    step!(h, c, d, a, b, 7, 0xf6bb4b60, 16);
    step!(h, b, c, d, a, 10, 0xbebfbc70, 23);
    step!(h, a, b, c, d, 13, 0x289b7ec6, 4);
    step!(h, d, a, b, c, 0, 0xeaa127fa, 11);
    step!(h, c, d, a, b, 3, 0xd4ef3085, 16);
    step!(h, b, c, d, a, 6, 0x04881d05, 23);
    step!(h, a, b, c, d, 9, 0xd9d4d039, 4);
    step!(h, d, a, b, c, 12, 0xe6db99e5, 11);
    step!(h, c, d, a, b, 15, 0x1fa27cf8, 16);
    step!(h, b, c, d, a, 2, 0xc4ac5665, 23);
    step!(i, a, b, c, d, 0, 0xf4292244, 6);
    step!(i, d, a, b, c, 7, 0x432aff97, 10);
    step!(i, c, d, a, b, 14, 0xab9423a7, 15);
    step!(i, b, c, d, a, 5, 0xfc93a039, 21);
    step!(i, a, b, c, d, 12, 0x655b59c3, 6);
    step!(i, d, a, b, c, 3, 0x8f0ccc92, 10);
    step!(i, c, d, a, b, 10, 0xffeff47d, 15);
    step!(i, b, c, d, a, 1, 0x85845dd1, 21);
    step!(i, a, b, c, d, 8, 0x6fa87e4f, 6);
    step!(i, d, a, b, c, 15, 0xfe2ce6e0, 10);
    step!(i, c, d, a, b, 6, 0xa3014314, 15);
    step!(i, b, c, d, a, 13, 0x4e0811a1, 21);
    step!(i, a, b, c, d, 4, 0xf7537e82, 6);
    step!(i, d, a, b, c, 11, 0xbd3af235, 10);
    step!(i, c, d, a, b, 2, 0x2ad7d2bb, 15);
    step!(i, b, c, d, a, 9, 0xeb86d391, 21);
    for l in 0..2 {
        state[l][0] = state[l][0].wrapping_add(a[l]);
        state[l][1] = state[l][1].wrapping_add(b[l]);
        state[l][2] = state[l][2].wrapping_add(c[l]);
        state[l][3] = state[l][3].wrapping_add(d[l]);
    }
}
