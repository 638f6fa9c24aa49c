//! Pictures for the demo: a scanned-looking invoice and a street-lighting plan, drawn here
//! (shapes only, no text) so the demo carries no binary files. They go through the upload
//! pipeline like a phone's photo.

use image::{Rgb, RgbImage};

const PAPER: Rgb<u8> = Rgb([251, 248, 240]);
const INK: Rgb<u8> = Rgb([80, 80, 80]);
const RULE: Rgb<u8> = Rgb([139, 90, 43]);
const STAMP: Rgb<u8> = Rgb([198, 40, 40]);

fn rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, c: Rgb<u8>) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            img.put_pixel(x, y, c);
        }
    }
}

/// An ellipse's ring (a seal), `t` pixels thick.
fn ring(img: &mut RgbImage, cx: f32, cy: f32, rx: f32, ry: f32, t: f32, c: Rgb<u8>) {
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (dx, dy) = ((x as f32 - cx) / rx, (y as f32 - cy) / ry);
            let d = (dx * dx + dy * dy).sqrt();
            if (d - 1.0).abs() * rx.min(ry) < t / 2.0 {
                img.put_pixel(x, y, c);
            }
        }
    }
}

fn disc(img: &mut RgbImage, cx: i64, cy: i64, r: i64, c: Rgb<u8>) {
    for y in (cy - r).max(0)..(cy + r) {
        for x in (cx - r).max(0)..(cx + r) {
            if (x - cx).pow(2) + (y - cy).pow(2) <= r * r && (x as u32) < img.width() && (y as u32) < img.height() {
                img.put_pixel(x as u32, y as u32, c);
            }
        }
    }
}

/// A small deterministic generator, so each invoice differs but the demo is repeatable.
fn widths(seed: u64) -> impl FnMut(u32, u32) -> u32 {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    move |lo, hi| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        lo + ((s >> 33) as u32) % (hi - lo)
    }
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG in memory");
    out.into_inner()
}

/// A photo of a paper invoice (发票), one of a few drawn once per process (the demo loads
/// in every API test).
pub fn invoice(variant: usize) -> Vec<u8> {
    static DRAWN: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    let drawn = DRAWN.get_or_init(|| (1..=4).map(draw_invoice).collect());
    drawn[variant % drawn.len()].clone()
}

/// The tax bureau's oval seal, the table of goods, the total, and the seller's seal;
/// `seed` varies the lines.
fn draw_invoice(seed: u64) -> Vec<u8> {
    let mut w = widths(seed);
    let mut img = RgbImage::from_pixel(1000, 640, PAPER);
    // Border, title and the supervising seal above it.
    for (x0, y0, x1, y1) in [
        (30, 30, 970, 34),
        (30, 606, 970, 610),
        (30, 30, 34, 610),
        (966, 30, 970, 610),
    ] {
        rect(&mut img, x0, y0, x1, y1, RULE);
    }
    ring(&mut img, 500.0, 90.0, 95.0, 50.0, 6.0, STAMP);
    rect(&mut img, 380, 150, 620, 172, INK);
    // The table: header row, item rows, total row.
    for y in [200, 250, 310, 370, 430, 490, 550] {
        rect(&mut img, 50, y, 950, y + 2, RULE);
    }
    for x in [50, 330, 520, 700, 820, 948] {
        rect(&mut img, x, 200, x + 2, 552, RULE);
    }
    for row in 0..5u32 {
        let y = 272 + row * 60;
        if row < 3 {
            let first = w(120, 260);
            rect(&mut img, 70, y, 70 + first, y + 14, INK);
            let qty = w(30, 80);
            rect(&mut img, 540, y, 540 + qty, y + 14, INK);
            let amount = w(50, 100);
            rect(&mut img, 930 - amount, y, 930, y + 14, INK);
        }
    }
    let total = w(90, 160);
    rect(&mut img, 930 - total, 512, 930, 532, Rgb([30, 30, 30]));
    // The seller's seal, in the corner where it is stamped.
    ring(&mut img, 860.0, 575.0, 70.0, 42.0, 5.0, STAMP);
    png(&img)
}

/// The street-lighting plan a poll asks about: the village road, the houses along it and
/// where each new lamp goes.
pub fn lighting_plan() -> Vec<u8> {
    static DRAWN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DRAWN.get_or_init(draw_lighting_plan).clone()
}

fn draw_lighting_plan() -> Vec<u8> {
    let mut img = RgbImage::from_pixel(1000, 700, Rgb([232, 243, 224]));
    rect(&mut img, 0, 320, 1000, 390, Rgb([150, 150, 150]));
    rect(&mut img, 0, 353, 1000, 357, Rgb([250, 250, 250]));
    for i in 0..7u32 {
        let x = 40 + i * 140;
        rect(&mut img, x, 150 + (i % 2) * 30, x + 90, 290, Rgb([214, 190, 150]));
        rect(&mut img, x + 10, 430, x + 100, 560 - (i % 3) * 20, Rgb([214, 190, 150]));
    }
    for i in 0..8i64 {
        let x = 60 + i * 125;
        disc(&mut img, x, 310, 16, Rgb([60, 60, 60]));
        disc(&mut img, x, 310, 12, Rgb([255, 215, 94]));
    }
    rect(&mut img, 700, 600, 980, 680, PAPER);
    disc(&mut img, 730, 640, 12, Rgb([255, 215, 94]));
    rect(&mut img, 760, 632, 950, 648, INK);
    png(&img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pictures_pass_the_upload_pipeline() {
        for bytes in [invoice(0), invoice(1), lighting_plan()] {
            assert!(matches!(
                crate::uploads::process(bytes),
                Ok(crate::uploads::Processed::Image { .. })
            ));
        }
        assert_ne!(invoice(0), invoice(1));
    }
}
