//! The one upload pipeline of the product: sniff what a file really is, refuse what we do
//! not take, decode images within size and memory limits, turn them upright by their EXIF
//! orientation and re-encode them, which drops every metadata field (GPS position, camera,
//! times). Runs on a blocking thread; callers store the result through [`crate::storage`].

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, codecs::jpeg::JpegEncoder, imageops::FilterType};

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 15 * 1024 * 1024;
/// The largest picture accepted, per side and in pixels, read from the header before any
/// pixel is decoded. Phones shrink photos to 2048 px before sending; a scanner's A4 page at
/// 300 dpi is 8.7 megapixels. Every later step (flattening, shrinking, encoding) holds a
/// few copies of the picture, so memory stays under about 16 bytes per pixel, ~400 MB at
/// the limit; the decoder's own allocation limit is that of one RGBA copy.
const MAX_SIDE: u32 = 8_192;
pub const MAX_PIXELS: u64 = 24_000_000;
const MAX_ALLOC: u64 = MAX_PIXELS * 4;

/// Decoding is memory- and CPU-heavy: at most this many run at once, the rest wait their
/// turn (images and spreadsheets alike).
const CONCURRENT_DECODES: usize = 2;
static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_DECODES);

/// Runs `work` (a decode) on a blocking thread once one of the decode slots is free.
pub async fn decode<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _slot = DECODES.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Webp,
    Pdf,
    /// An iPhone photo in HEIF/HEIC, which we ask people to send from the camera instead.
    Heic,
    Unknown,
}

pub fn sniff(b: &[u8]) -> Sniffed {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Jpeg
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Png
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Sniffed::Webp
    } else if b.starts_with(b"%PDF-") {
        Sniffed::Pdf
    } else if b.len() >= 12
        && &b[4..8] == b"ftyp"
        && matches!(
            &b[8..12],
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        )
    {
        Sniffed::Heic
    } else {
        Sniffed::Unknown
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than 15 MB")]
    TooLarge,
    #[error("HEIC photos are not supported")]
    Heic,
    #[error("not a JPEG, PNG, WebP or PDF file")]
    Unsupported,
    #[error("the file is damaged or too large to decode")]
    Corrupt,
    #[error("the picture has more pixels than we take")]
    TooManyPixels,
}

/// What is kept of an upload.
pub enum Processed {
    Image {
        /// Full resolution (at most 4096 px a side), upright, no metadata: for staff.
        original: Vec<u8>,
        /// About 200 KB, for reading on a phone.
        screen: Vec<u8>,
        /// About 20 KB, for lists.
        thumb: Vec<u8>,
        width: u32,
        height: u32,
    },
    /// Kept as sent: a PDF cannot be re-encoded here (its own metadata stays; the page
    /// says so when it is attached).
    Pdf(Vec<u8>),
}

/// Checks and converts an upload. Blocking: call it from `spawn_blocking`.
pub fn process(bytes: Vec<u8>) -> Result<Processed, UploadError> {
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    match sniff(&bytes) {
        Sniffed::Jpeg | Sniffed::Png | Sniffed::Webp => process_image(&bytes),
        Sniffed::Pdf if bytes.windows(5).rev().take(1024).any(|w| w == b"%%EOF") => Ok(Processed::Pdf(bytes)),
        Sniffed::Pdf => Err(UploadError::Corrupt),
        Sniffed::Heic => Err(UploadError::Heic),
        Sniffed::Unknown => Err(UploadError::Unsupported),
    }
}

fn process_image(bytes: &[u8]) -> Result<Processed, UploadError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| UploadError::Corrupt)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(UploadError::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    img.apply_orientation(orientation);
    let img = flatten(img);
    let original = shrink(&img, 4096);
    let (width, height) = (original.width(), original.height());
    Ok(Processed::Image {
        original: jpeg(&original, 88)?,
        screen: jpeg(&shrink(&img, 1280), 78)?,
        thumb: jpeg(&shrink(&img, 240), 60)?,
        width,
        height,
    })
}

/// A picture over the limits is named as such; anything else the decoder refuses is damaged.
fn decode_error(e: image::ImageError) -> UploadError {
    match e {
        image::ImageError::Limits(_) => UploadError::TooManyPixels,
        _ => UploadError::Corrupt,
    }
}

/// Transparent pixels become white (a scan on paper), then plain RGB.
fn flatten(img: DynamicImage) -> DynamicImage {
    if !img.color().has_alpha() {
        return DynamicImage::ImageRgb8(img.to_rgb8());
    }
    let rgba = img.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(px[3]);
        for c in 0..3 {
            out[c] = ((u16::from(px[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    DynamicImage::ImageRgb8(rgb)
}

/// Scales down so the longer side is at most `max`; never scales up.
fn shrink(img: &DynamicImage, max: u32) -> DynamicImage {
    if img.width() <= max && img.height() <= max {
        img.clone()
    } else {
        img.resize(max, max, FilterType::Triangle)
    }
}

fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, UploadError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|_| UploadError::Corrupt)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Sniffed::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Sniffed::Png);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Sniffed::Webp);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Pdf);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Sniffed::Heic);
        assert_eq!(sniff(b"MZ\x90\0"), Sniffed::Unknown);
    }

    #[test]
    fn refuses_what_it_cannot_take() {
        assert_eq!(process(vec![0; MAX_BYTES + 1]).err(), Some(UploadError::TooLarge));
        assert_eq!(
            process(b"\0\0\0\x18ftypheic\0\0\0\0".to_vec()).err(),
            Some(UploadError::Heic)
        );
        assert_eq!(process(b"hello".to_vec()).err(), Some(UploadError::Unsupported));
        assert_eq!(
            process(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).err(),
            Some(UploadError::Corrupt)
        );
        assert_eq!(process(b"%PDF-1.4 no end".to_vec()).err(), Some(UploadError::Corrupt));
        assert!(matches!(process(b"%PDF-1.4\n%%EOF\n".to_vec()), Ok(Processed::Pdf(_))));
    }

    #[test]
    fn transparent_png_becomes_white_jpeg() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(300, 100, image::Rgba([0, 0, 0, 0])));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let Ok(Processed::Image {
            thumb, width, height, ..
        }) = process(png)
        else {
            panic!("png")
        };
        assert_eq!((width, height), (300, 100));
        let back = image::load_from_memory(&thumb).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (240, 80));
        assert!(back.get_pixel(10, 10)[0] > 240);
    }
}
