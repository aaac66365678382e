import time, cProfile, pstats
from sqlalchemy import select
from bench.harness import Services, portal_client, seeded_database
from bench.requests import _heavy_customer, _plain_read
def run():
    database = seeded_database(300)
    with Services() as redis_url:
        app, client = portal_client(database, redis_url)
        from portal import models
        from portal.extensions import db
        from portal.requests.access import build_package, collect
        with app.app_context():
            account = db.session.scalar(select(models.Account).where(models.Account.slug == "salon-sonnenschein"))
            loc = account.locations[0].id
            emp = db.session.scalar(select(models.Employee.id).where(models.Employee.account_id == account.id))
            cid = _heavy_customer(db, models, account.id, loc, emp, 99)
            customer = db.session.get(models.Customer, cid)
            req = models.PrivacyRequest(account_id=account.id, location_id=loc, customer_id=cid, kind="access", status="in_progress", locale="de")
            db.session.add(req); db.session.flush()
            for _ in range(2):
                t=time.perf_counter(); _plain_read(db, cid); b=time.perf_counter()-t
                db.session.expire_all()
                t=time.perf_counter(); build_package(req, customer); p=time.perf_counter()-t
                db.session.expire_all()
                t=time.perf_counter(); collect(customer); c=time.perf_counter()-t
                print(f"plain {b*1000:.1f} package {p*1000:.1f} collect {c*1000:.1f}")
            import io, zipfile
            from flask import render_template
            from flask_babel import force_locale
            from portal.requests.access import readable_json, HISTORY_LABELS, CONSENT_METHODS, build_notice, csv_tables
            from portal.requests import access as acc
            for _ in range(3):
                db.session.expire_all()
                T = [time.perf_counter()]
                data = collect(customer); T.append(time.perf_counter())
                notice = build_notice(db.session.get(models.Location, req.location_id)); T.append(time.perf_counter())
                with force_locale("de"):
                    report = render_template("requests/access_report.html", data=data, notice=notice, request=req, consent_methods=CONSENT_METHODS, **HISTORY_LABELS)
                T.append(time.perf_counter())
                j = readable_json(data); T.append(time.perf_counter())
                c = csv_tables(data, "de"); T.append(time.perf_counter())
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("data.json", j); z.writestr("r.html", report)
                    for n, v in c.items(): z.writestr(n, v)
                T.append(time.perf_counter())
                print("collect notice render json csv zip", [round((b-a)*1000,1) for a,b in zip(T, T[1:])], len(j), len(report))
            db.session.expire_all()
            pr = cProfile.Profile(); pr.enable(); build_package(req, customer); pr.disable()
            pstats.Stats(pr).sort_stats("cumtime").print_stats(40)
            db.session.rollback()
run()
