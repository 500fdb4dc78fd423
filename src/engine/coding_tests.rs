use super::*;

#[test]
fn content_encoding_is_one_list() {
    use Codings::*;
    assert_eq!(parse_content_encoding(b""), Identity);
    assert_eq!(parse_content_encoding(b" , identity ,"), Identity);
    assert_eq!(parse_content_encoding(b"gzip"), One(Coding::Gzip));
    assert_eq!(parse_content_encoding(b"GZip"), One(Coding::Gzip));
    assert_eq!(parse_content_encoding(b"x-gzip"), One(Coding::Gzip));
    assert_eq!(parse_content_encoding(b" Deflate\t"), One(Coding::Deflate));
    assert_eq!(parse_content_encoding(b"identity, gzip"), One(Coding::Gzip));
    assert_eq!(parse_content_encoding(b"br"), Unknown);
    assert_eq!(parse_content_encoding(b"gzip;q=1"), Unknown);
    // Two header lines arrive joined with ", ".
    assert_eq!(parse_content_encoding(b"gzip, deflate"), Stacked);
    assert_eq!(parse_content_encoding(b"gzip,gzip"), Stacked);
    assert_eq!(parse_content_encoding(b"br, gzip"), Stacked);
    assert!(names_gzip(b"deflate, GZIP"));
    assert!(!names_gzip(b"deflate"));
    assert!(!names_gzip(b"gzipped"));
}

/// A gzip member around stored deflate blocks (the decompressor's part is
/// not under test here, only what surrounds it).
fn member(data: &[u8], flags: u8) -> (Vec<u8>, usize, usize) {
    let mut h = vec![0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 0, 3];
    if flags & FEXTRA != 0 {
        h.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
    }
    if flags & FNAME != 0 {
        h.extend_from_slice(b"name\0");
    }
    if flags & FCOMMENT != 0 {
        h.extend_from_slice(b"comment\0");
    }
    if flags & FHCRC != 0 {
        let c = crc32_update(0, &h);
        h.extend_from_slice(&(c as u16).to_le_bytes());
    }
    let header_len = h.len();
    let len = data.len() as u16;
    h.push(1);
    h.extend_from_slice(&len.to_le_bytes());
    h.extend_from_slice(&(!len).to_le_bytes());
    h.extend_from_slice(data);
    h.extend_from_slice(&crc32_update(0, data).to_le_bytes());
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    let data_end = h.len();
    (h, header_len, data_end)
}

fn run_member(
    fc: &mut FrameCheck,
    m: &[u8],
    decoded: usize,
    split: usize,
) -> Result<(), FrameError> {
    for piece in m.chunks(split.max(1)) {
        fc.raw(piece)?;
    }
    fc.decoded(decoded);
    fc.member_end()
}

#[test]
fn crc32_is_the_ieee_one() {
    assert_eq!(crc32_update(0, b"123456789"), 0xCBF4_3926);
    assert_eq!(
        crc32_update(crc32_update(0, b"1234"), b"56789"),
        0xCBF4_3926
    );
}

#[test]
fn every_header_field_and_every_split() {
    for flags in 0..0x20u8 {
        for split in [1, 2, 3, 7, 1000] {
            let (m, _, _) = member(b"hello", flags);
            let mut fc = FrameCheck::new(Coding::Gzip);
            assert_eq!(
                run_member(&mut fc, &m, 5, split),
                Ok(()),
                "flags {flags:#x} split {split}"
            );
            assert!(fc.at_boundary());
            let (m2, _, _) = member(b"world!", flags);
            assert_eq!(run_member(&mut fc, &m2, 6, split), Ok(()));
            assert_eq!(fc.members(), 2);
            assert_eq!(fc.body_end(), Ok(()));
        }
    }
}

#[test]
fn header_crc_and_isize_are_checked() {
    let (mut m, hl, _) = member(b"hello", FHCRC | FNAME);
    m[hl - 1] ^= 1;
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(run_member(&mut fc, &m, 5, 1), Err(FrameError::HeaderCrc));

    let (mut m, _, end) = member(b"hello", 0);
    m[end - 4] ^= 1;
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(run_member(&mut fc, &m, 5, 3), Err(FrameError::Size));

    // The decoded length is compared modulo 2^32.
    let (m, _, _) = member(b"hello", 0);
    let mut fc = FrameCheck::new(Coding::Gzip);
    #[cfg(target_pointer_width = "64")]
    assert_eq!(run_member(&mut fc, &m, 5 + (1usize << 32), 3), Ok(()));
}

#[test]
fn bad_headers_and_trailing_bytes() {
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(fc.raw(b"\x78\x9c"), Err(FrameError::BadHeader));
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(fc.raw(b"\x1f\x8b\x08\x20"), Err(FrameError::BadHeader));
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(fc.raw(b"\x1f\x8b\x07"), Err(FrameError::BadHeader));

    // After a gzip member, only another member.
    let (m, _, _) = member(b"x", 0);
    let mut fc = FrameCheck::new(Coding::Gzip);
    run_member(&mut fc, &m, 1, 4).unwrap();
    assert_eq!(fc.raw(b"\0"), Err(FrameError::Trailing));

    // A zlib stream is one stream.
    let mut fc = FrameCheck::new(Coding::Deflate);
    fc.raw(b"\x78\x9c\x03\x00\x00\x00\x00\x01").unwrap();
    assert_eq!(fc.format(), Format::Zlib);
    fc.member_end().unwrap();
    assert_eq!(fc.raw(b"\x78"), Err(FrameError::Trailing));
    let mut fc = FrameCheck::new(Coding::Deflate);
    assert_eq!(fc.raw(b"\x78\x9d"), Err(FrameError::BadHeader));
    // gzip sent as "deflate" is taken.
    let (m, _, _) = member(b"x", 0);
    let mut fc = FrameCheck::new(Coding::Deflate);
    assert_eq!(run_member(&mut fc, &m, 1, 5), Ok(()));
    assert_eq!(fc.format(), Format::Gzip);
}

#[test]
fn an_empty_body_has_no_member_and_a_cut_one_is_refused() {
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(fc.body_end(), Ok(()));
    assert_eq!(fc.members(), 0);
    let mut fc = FrameCheck::new(Coding::Gzip);
    fc.raw(b"\x1f\x8b\x08").unwrap();
    assert_eq!(fc.body_end(), Err(FrameError::Truncated));
    let mut fc = FrameCheck::new(Coding::Gzip);
    assert_eq!(fc.member_end(), Err(FrameError::Truncated));
}
