//! Invoice photos: what comes back has no metadata, is upright, and is shown only to
//! those who may see it; bad files are refused with a clear code.

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::ledger::{Attachment, AttachmentKind, LedgerMonth, Line};

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2025-06";

/// A JPEG of `w`×`h` whose EXIF block names a camera, carries a GPS block with a marker
/// string, and says "rotate 90° clockwise to show" (orientation 6).
pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x * 5 % 255) as u8, 90, 160]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&img)
        .unwrap();
    // TIFF, big-endian: IFD0 with Make, Orientation and a pointer to the GPS IFD.
    let make = b"SunlightCam\0";
    let datum = b"WGS-84-SECRET\0";
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let ifd0_end = 8 + 2 + 3 * 12 + 4;
    let make_at = ifd0_end as u32;
    let gps_at = make_at + make.len() as u32;
    let gps_end = gps_at + 2 + 12 + 4;
    let datum_at = gps_end;
    t.extend(3u16.to_be_bytes());
    t.extend([0x01, 0x0F, 0, 2]);
    t.extend((make.len() as u32).to_be_bytes());
    t.extend(make_at.to_be_bytes());
    t.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    t.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend(gps_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(make);
    t.extend(1u16.to_be_bytes());
    t.extend([0x00, 0x12, 0, 2]);
    t.extend((datum.len() as u32).to_be_bytes());
    t.extend(datum_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(datum);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(&t);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(&app1);
    out.extend(&plain[2..]);
    out
}

async fn upload(who: &TestApp, line: uuid::Uuid, bytes: Vec<u8>, content_type: &str) -> reqwest::Response {
    who.client
        .post(who.url(&format!("api/ledger-lines/{line}/attachments")))
        .header("content-type", content_type)
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn new_line(acc: &TestApp) -> Line {
    let body = json!({"date": format!("{MONTH}-02"), "kind": "expense", "amount": "88", "category": "办公费", "counterparty": "文具店"});
    json(
        acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines"), &body)
            .await,
    )
    .await
}

db_test!(photos_lose_their_metadata_and_stand_upright, |app| {
    app.demo().await;
    let acc = app.signed_in("13800000002").await;
    let line = new_line(&acc).await;
    let photo = jpeg_with_exif(400, 200);
    assert!(
        photo.windows(11).any(|w| w == b"SunlightCam"),
        "the fixture carries camera data"
    );
    let res = upload(&acc, line.id, photo, "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Attachment = json(res).await;
    assert_eq!(a.kind, AttachmentKind::Image);
    // Orientation 6 turned the 400×200 picture upright: 200×400.
    assert_eq!((a.width, a.height), (Some(200), Some(400)));
    for variant in ["thumb", "screen", "original"] {
        let res = acc.get(&format!("api/files/{}/{variant}", a.id)).await;
        assert_eq!(res.status(), StatusCode::OK, "{variant}");
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let bytes = res.bytes().await.unwrap();
        for secret in [&b"Exif"[..], b"SunlightCam", b"SECRET", b"WGS-84"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret),
                "{variant} still carries {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        let img = image::load_from_memory(&bytes).unwrap();
        assert!(img.height() > img.width(), "{variant} is upright");
    }
    let thumb = acc
        .get(&format!("api/files/{}/thumb", a.id))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(thumb.len() < 30_000, "thumbnail is small: {}", thumb.len());
    // Nothing of it is kept anywhere in the data directory either.
    let mut stack = vec![app.dir.path().join("files")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let b = std::fs::read(&p).unwrap();
                assert!(
                    !b.windows(11).any(|w| w == b"SunlightCam"),
                    "{} keeps camera data",
                    p.display()
                );
            }
        }
    }
    // The line now lists it.
    let month: LedgerMonth = json(acc.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(month.lines[0].attachments, vec![a]);
});

db_test!(villagers_see_published_photos_but_not_originals, |app| {
    app.demo().await;
    let acc = app.signed_in("13800000002").await;
    let rev = app.signed_in("13800000004").await;
    let villager = app.signed_in("13800000001").await;
    let line = new_line(&acc).await;
    let a: Attachment = json(upload(&acc, line.id, jpeg_with_exif(64, 64), "image/jpeg").await).await;
    expect_error(
        villager.get(&format!("api/files/{}/thumb", a.id)).await,
        404,
        "not_found",
    )
    .await;
    acc.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/submit"), &json!({}))
        .await;
    rev.post(
        &format!("api/ledger-lines/{}/review", line.id),
        &json!({"approve": true}),
    )
    .await;
    assert_eq!(
        rev.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/publish"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let res = villager.get(&format!("api/files/{}/screen", a.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["cache-control"].to_str().unwrap().starts_with("private"));
    expect_error(
        villager.get(&format!("api/files/{}/original", a.id)).await,
        403,
        "forbidden",
    )
    .await;
    expect_error(villager.get(&format!("api/files/{}/pdf", a.id)).await, 404, "not_found").await;
    // The county's inspector, above the village, may look; a villager of another village
    // learns nothing, not even that the file exists.
    let county = app.signed_in("13800000007").await;
    assert_eq!(
        county.get(&format!("api/files/{}/original", a.id)).await.status(),
        StatusCode::OK
    );
    let stranger = app
        .account("13600000001", sunlight_api::Role::Villager, "359902101201", None)
        .await;
    let stranger = app.session_for(stranger).await;
    let thumb = app.url(&format!("api/files/{}/thumb", a.id));
    // Published and public, like the page it is on: anyone with the link sees the photo,
    // never the original.
    assert_eq!(stranger.get(&thumb).send().await.unwrap().status(), StatusCode::OK);
    let anyone = client();
    assert_eq!(anyone.get(&thumb).send().await.unwrap().status(), StatusCode::OK);
    let original = app.url(&format!("api/files/{}/original", a.id));
    expect_error(anyone.get(&original).send().await.unwrap(), 403, "forbidden").await;
    // Where the county keeps its disclosures to villagers, a stranger learns nothing, not
    // even that the file exists, and anyone else is asked to sign in.
    app.db
        .set_villagers_only(&sunlight_api::RegionCode::parse("359901000000").unwrap(), true)
        .await
        .unwrap();
    expect_error(stranger.get(&thumb).send().await.unwrap(), 404, "not_found").await;
    expect_error(anyone.get(&thumb).send().await.unwrap(), 401, "not_signed_in").await;
    assert_eq!(
        villager.get(&format!("api/files/{}/thumb", a.id)).await.status(),
        StatusCode::OK
    );
    // A sealed line takes no more photos.
    expect_error(
        upload(&acc, line.id, jpeg_with_exif(64, 64), "image/jpeg").await,
        409,
        "ledger_locked",
    )
    .await;
});

db_test!(bad_files_are_refused_with_reasons, |app| {
    app.demo().await;
    let acc = app.signed_in("13800000002").await;
    let line = new_line(&acc).await;
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    expect_error(upload(&acc, line.id, heic, "image/heic").await, 415, "heic_unsupported").await;
    expect_error(
        upload(&acc, line.id, b"MZ\x90\0 not a picture".to_vec(), "image/jpeg").await,
        415,
        "unsupported_file",
    )
    .await;
    let mut broken = jpeg_with_exif(64, 64);
    broken.truncate(300);
    expect_error(upload(&acc, line.id, broken, "image/jpeg").await, 422, "damaged_file").await;
    // Over 15 MB: the server answers 413 as soon as it sees the length and closes the
    // connection, possibly before the client has sent everything; then the client tries
    // again. A client of its own, so that no other request reuses a closed connection.
    let accountant = app.db.user_id_by_mobile("13800000002").await.unwrap().unwrap();
    let big = app.session_for(accountant).await;
    let mut refused = None;
    for _ in 0..5 {
        let sent = big
            .post(acc.url(&format!("api/ledger-lines/{}/attachments", line.id)))
            .header(sunlight_api::CSRF_HEADER, "1")
            .body(vec![0xFF; 16 * 1024 * 1024])
            .send()
            .await;
        if let Ok(res) = sent {
            refused = Some(res);
            break;
        }
    }
    expect_error(
        refused.expect("the server answered one of five tries"),
        413,
        "too_large",
    )
    .await;
    // Judged by content, not by the declared type: a PNG sent as "jpeg" is fine.
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::new(10, 10))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(
        upload(&acc, line.id, png, "image/jpeg").await.status(),
        StatusCode::CREATED
    );
    // A PDF is kept and offered as a download.
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let a: Attachment = json(upload(&acc, line.id, pdf.clone(), "application/pdf").await).await;
    assert_eq!(a.kind, AttachmentKind::Pdf);
    let res = acc.get(&format!("api/files/{}/pdf", a.id)).await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // Nothing was stored for the refused files: two attachments, no stray temporaries.
    let month: LedgerMonth = json(acc.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert_eq!(month.lines[0].attachments.len(), 2);
    let tmp = app.dir.path().join("files/tmp");
    assert_eq!(std::fs::read_dir(tmp).map(|d| d.count()).unwrap_or(0), 0);
    // Removing one takes it off the line.
    assert_eq!(
        acc.delete(&format!("api/attachments/{}", a.id)).await.status(),
        StatusCode::NO_CONTENT
    );
    expect_error(acc.get(&format!("api/files/{}/pdf", a.id)).await, 404, "not_found").await;
});
