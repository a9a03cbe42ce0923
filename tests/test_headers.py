"""Header recognition on header rows of real kinds of exports (metrics/importer/headers.py).

Each HeaderSet is one export's header row: copied from a public file where one was found (the comment names the
repository and path, or the file in ../shared/realdata), otherwise modelled on the kind of export named. Every
set is resolved with no options and a neutral file name, so the table and every mapping come from the headers
alone. `expect` gives the right canonical column for the headers that matter (None: must stay unmapped).

Where the current recognition gets a real header wrong the test still asserts the right answer and is marked
xfail(strict=True) with what it gets instead, so a fix in metrics/schema.py turns it into an XPASS failure that
asks for the mark to go.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

import pytest

from metrics.errors import ImportFailure
from metrics.importer import ImportOptions
from metrics.importer.headers import MIN_SCORE, TableMatch, fold, resolve, scores
from metrics.schema import TABLES

NEUTRAL_FILE = "export.csv"  # no table's name_hints in it: the headers alone decide


@dataclass(frozen=True)
class HeaderSet:
    """One export's header row, the table it is for and the right column for its important headers."""

    id: str
    table: str
    headers: tuple[str, ...]
    expect: dict[str, str | None]
    # header -> why the current recognition gets it wrong (the test is then xfail, strict)
    misses: dict[str, str] = field(default_factory=dict)
    # why the whole set fails to resolve to its table (every test of the set is then xfail, strict)
    table_miss: str | None = None
    # why a shuffled header order maps differently (a tie broken by position)
    order_miss: str | None = None


SETS: list[HeaderSet] = [
    # --- 12345 hotline work orders -------------------------------------------------------------------------
    # Modelled on 12345 hotline work-order exports (工单编号/来电时间/诉求类型/一级分类/二级分类/承办单位/办结时间/
    # 回访满意度), with the 县（市、区）/乡镇（街道）/社区（村） place headers of county-level platforms.
    HeaderSet(
        "hotline_12345_classic", "cases",
        ("序号", "工单编号", "来电时间", "诉求类型", "一级分类", "二级分类", "诉求内容", "县（市、区）", "乡镇（街道）",
         "社区（村）", "承办单位", "办结时限", "办结时间", "办理状态", "回访满意度", "来源渠道"),
        {"序号": None, "工单编号": "case_id", "来电时间": "reported_at", "一级分类": "category",
         "二级分类": "subcategory", "县（市、区）": "district", "乡镇（街道）": "street", "社区（村）": "community",
         "承办单位": "handler", "办结时限": "due_at", "办结时间": "closed_at", "办理状态": "status",
         "回访满意度": "satisfaction", "来源渠道": "channel"},
    ),
    # Field list of a 12345 work order (Chinese field comments) in gitxiangxiang/UserPortraitAnalysis,
    # code/user_profiles/models/PersonalAppeal_mongo.py.
    HeaderSet(
        "hotline_12345_appeal_model", "cases",
        ("工单编号", "受理员工号", "受理员", "来电人", "分类", "紧急程度", "来电类别", "受理渠道", "主要内容", "受理时间",
         "受理备注", "工单状态", "受理类型", "是否保密", "是否回复", "办理单位", "转办时间", "转办人姓名", "转办人工号",
         "转办意见", "办结时间", "上传时间"),
        {"工单编号": "case_id", "受理员工号": None, "转办人工号": None, "分类": "category", "受理渠道": "channel",
         "受理时间": "reported_at", "转办时间": None, "上传时间": None, "工单状态": "status", "办理单位": "handler",
         "办结时间": "closed_at"},
    ),
    # Modelled on a county 12345 export with a duplicated 序号, required-field stars, 三级分类, both 承办单位 and
    # 办结职能科室/部门, and both a yes/no 是否满意 and the rating 回访满意度.
    HeaderSet(
        "hotline_12345_messy", "cases",
        ("序号", "序号", "工单号*", "受理时间*", "诉求来源", "是否满意", "一级分类", "二级分类", "三级分类", "诉求内容",
         "所属区县", "所属街道（乡镇）", "所属社区（村）", "承办单位", "办结职能科室/部门", "处理时限", "办结时间", "工单状态",
         "回访满意度"),
        {"序号": None, "工单号*": "case_id", "受理时间*": "reported_at", "诉求来源": "channel", "一级分类": "category",
         "二级分类": "subcategory", "三级分类": None, "所属区县": "district", "所属街道（乡镇）": "street",
         "所属社区（村）": "community", "承办单位": "handler", "处理时限": "due_at", "办结时间": "closed_at",
         "工单状态": "status", "回访满意度": "satisfaction"},
    ),
    # --- grid-event platforms (基层智治) -----------------------------------------------------------------------
    # Modelled on a 基层智治 grid-event export; 事件编号/事件描述/镇街名称/村社名称/事件级别/二级分类/上报时间/办结时间/
    # 处置结果 are the columns of a conflict_event_detail.csv read by a public event-query service (found by
    # find_string, repository not named by the index); 区县名称/网格名称/事件状态 etc. added as such platforms have.
    HeaderSet(
        "grid_jicengzhizhi", "cases",
        ("事件编号", "事件描述", "区县名称", "镇街名称", "村社名称", "网格名称", "事件来源", "一级分类", "二级分类",
         "事件级别", "上报时间", "最后受理时间", "办结时间", "事件状态", "处置结果", "满意度评价"),
        {"事件编号": "case_id", "区县名称": "district", "镇街名称": "street", "村社名称": "community",
         "网格名称": "grid", "事件来源": "channel", "一级分类": "category", "二级分类": "subcategory",
         "上报时间": "reported_at", "最后受理时间": None, "办结时间": "closed_at", "事件状态": "status",
         "处置结果": None, "满意度评价": "satisfaction"},
    ),
    # Modelled on a Zhejiang-style grid export: starred required headers, bracketed place levels, 所属网格, a
    # competing 最后受理时间 BEFORE 上报时间, 事件大类/事件小类 and 办结职能科室/部门 as the only handler.
    HeaderSet(
        "grid_messy_zhejiang", "cases",
        ("序号", "事件编号*", "县（市、区）", "乡镇（街道）", "社区（村）", "所属网格", "最后受理时间", "上报时间*",
         "事件大类", "事件小类", "办结职能科室/部门", "办理期限", "办结时间", "事件状态", "群众满意度", "上报渠道"),
        {"序号": None, "事件编号*": "case_id", "县（市、区）": "district", "乡镇（街道）": "street",
         "社区（村）": "community", "所属网格": "grid", "最后受理时间": None, "上报时间*": "reported_at",
         "事件大类": "category", "事件小类": "subcategory", "办结职能科室/部门": "handler", "办理期限": "due_at",
         "办结时间": "closed_at", "事件状态": "status", "群众满意度": "satisfaction", "上报渠道": "channel"},
    ),
    # Beijing Dongcheng grid / city-management cases: the columns yuezhilanyi/dongcheng_event_response_201909
    # reads from the export (zs222.py, zs342.py). 问题类型 there holds 事件/部件; the category is 大类名称.
    HeaderSet(
        "grid_beijing_dongcheng", "cases",
        ("案件号", "问题来源", "问题类型", "大类名称", "小类名称", "小类明细", "微类名称", "街道", "上报时间", "立案时间",
         "当前阶段", "处置截止时间", "处置结束时间", "结案时间", "强制结案时间"),
        {"案件号": "case_id", "问题来源": "channel", "问题类型": None, "大类名称": "category", "小类名称": "subcategory",
         "街道": "street", "上报时间": "reported_at", "立案时间": None, "当前阶段": "status",
         "处置截止时间": "due_at", "结案时间": "closed_at", "强制结案时间": None},
    ),
    # --- 数字城管 (digital city management) -------------------------------------------------------------------
    # eGova 数字城管 case fields (the Chinese comments) in zhaiweixi/egova,
    # statgather/python/maintable/acceptEval.py: 任务号 is the case number; 问题类型 is 事件/部件; 大类/小类 the category.
    HeaderSet(
        "szcg_egova", "cases",
        ("任务号", "上报时间", "问题描述", "问题来源", "案件类型", "问题类型", "大类", "小类", "区域", "街道", "社区", "网格",
         "责任网格", "结案时间", "作废时间"),
        {"任务号": "case_id", "上报时间": "reported_at", "问题来源": "channel", "案件类型": None, "问题类型": None,
         "大类": "category", "小类": "subcategory", "区域": "district", "街道": "street", "社区": "community",
         "网格": "grid", "结案时间": "closed_at", "作废时间": None},
    ),
    # Modelled on a 数字城管 / 城市运行管理服务平台 case export (案件编号, 问题大类, 问题小类, 立案时间, 结案时间,
    # 处置时限, 责任单位).
    HeaderSet(
        "szcg_platform", "cases",
        ("序号", "案件编号", "案件来源", "问题大类", "问题小类", "问题描述", "所属区县", "所属街道", "所属社区", "责任网格",
         "立案时间", "处置时限", "结案时间", "责任单位", "案件状态"),
        {"序号": None, "案件编号": "case_id", "案件来源": "channel", "问题大类": "category", "问题小类": "subcategory",
         "所属区县": "district", "所属街道": "street", "所属社区": "community", "责任网格": "grid",
         "立案时间": "reported_at", "处置时限": "due_at", "结案时间": "closed_at", "责任单位": "handler",
         "案件状态": "status"},
    ),
    # Modelled on a 城管 export that calls a case a 案卷 (案卷号, 案卷状态) and its rating 公众满意度, with
    # 所属街镇 and 所属社区（村）; tried by hand as an unseen vendor's file, where these three went unrecognised.
    HeaderSet(
        "szcg_anjuan", "cases",
        ("序号", "案卷号", "所属区县", "所属街镇", "所属社区（村）", "问题大类", "问题小类", "立案时间", "处置时限",
         "结案时间", "案卷状态", "处置部门", "公众满意度"),
        {"序号": None, "案卷号": "case_id", "所属区县": "district", "所属街镇": "street", "所属社区（村）": "community",
         "问题大类": "category", "问题小类": "subcategory", "立案时间": "reported_at", "处置时限": "due_at",
         "结案时间": "closed_at", "案卷状态": "status", "处置部门": "handler", "公众满意度": "satisfaction"},
    ),
    # A 12345 hotline's work-order sheet: the due and the actual close date side by side (made up for a vendor
    # not seen, as an analyst brought it).
    HeaderSet(
        "hotline_gongdan", "cases",
        ("序号", "工单号", "来电日期", "所属区县", "所属街镇", "社区/村", "诉求大类", "诉求小类", "主办单位",
         "要求办结日期", "实际办结日期", "工单状态", "回访满意度", "备注"),
        {"序号": None, "工单号": "case_id", "来电日期": "reported_at", "所属区县": "district", "所属街镇": "street",
         "社区/村": "community", "诉求大类": "category", "诉求小类": "subcategory", "主办单位": "handler",
         "要求办结日期": "due_at", "实际办结日期": "closed_at", "工单状态": "status", "回访满意度": "satisfaction",
         "备注": None},
    ),
    # --- 问政 / message boards --------------------------------------------------------------------------------
    # ../shared/realdata/wenzheng_teddycup2020_fj4_original.xlsx (15625103741/Text-Mining, data/附件4.xlsx).
    HeaderSet(
        "wenzheng_teddycup", "cases",
        ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"),
        {"留言编号": "case_id", "留言用户": None, "留言主题": None, "留言时间": "reported_at", "答复意见": None,
         "答复时间": "closed_at"},
    ),
    # Modelled on a 问政/领导留言板 export with categories, the replying unit and a rating.
    HeaderSet(
        "wenzheng_board", "cases",
        ("留言编号", "留言标题", "留言时间", "一级分类", "二级分类", "所属区县", "回复单位", "办理状态", "答复时间", "满意度"),
        {"留言编号": "case_id", "留言标题": None, "留言时间": "reported_at", "一级分类": "category",
         "二级分类": "subcategory", "所属区县": "district", "回复单位": "handler", "办理状态": "status",
         "答复时间": "closed_at", "满意度": "satisfaction"},
    ),
    # --- US 311 ---------------------------------------------------------------------------------------------
    # ../shared/realdata/nyc311_sample_1000.csv (mzuber88/TwoSixDgraphDemo, data/311_Service_Requests.csv).
    HeaderSet(
        "nyc311", "cases",
        ("Unique Key", "Created Date", "Closed Date", "Agency", "Agency Name", "Complaint Type", "Descriptor",
         "Location Type", "Incident Zip", "Incident Address", "Street Name", "Cross Street 1", "Cross Street 2",
         "Intersection Street 1", "Intersection Street 2", "Address Type", "City", "Landmark", "Facility Type",
         "Status", "Due Date", "Resolution Description", "Resolution Action Updated Date", "Community Board", "BBL",
         "Borough", "X Coordinate (State Plane)", "Y Coordinate (State Plane)", "Open Data Channel Type",
         "Park Facility Name", "Park Borough", "Vehicle Type", "Taxi Company Borough", "Taxi Pick Up Location",
         "Bridge Highway Name", "Bridge Highway Direction", "Road Ramp", "Bridge Highway Segment", "Latitude",
         "Longitude", "Location"),
        {"Unique Key": "case_id", "Created Date": "reported_at", "Closed Date": "closed_at", "Due Date": "due_at",
         "Agency": "handler", "Agency Name": None, "Complaint Type": "category", "Descriptor": "subcategory",
         "Location Type": None, "Status": "status", "Community Board": "community", "Borough": "district",
         "Park Borough": None, "Taxi Company Borough": None, "Street Name": None, "Open Data Channel Type": "channel",
         "Resolution Action Updated Date": None},
    ),
    # ../shared/realdata/sf311_cases_sample_10000.csv (sfbrigade/data-science-wg,
    # projects-in-this-repo/SF_311_Data-Analysis/data/cases_sample_10000(no-geo).csv): the first header is empty,
    # English headers with dots. SF311's hierarchy is Category > Request.Type > Request.Details.
    HeaderSet(
        "sf311", "cases",
        ("", "CaseID", "Opened", "Closed", "Updated", "Status", "Status.Notes", "Responsible.Agency", "Category",
         "Request.Type", "Request.Details", "Address", "Supervisor.District", "Neighborhood", "Point", "Source",
         "Media.URL"),
        {"CaseID": "case_id", "Opened": "reported_at", "Closed": "closed_at", "Updated": None, "Status": "status",
         "Status.Notes": None, "Responsible.Agency": "handler", "Category": "category", "Request.Type": "subcategory",
         "Supervisor.District": None, "Neighborhood": "community", "Source": "channel"},
    ),
    # ../shared/realdata/stl_csb_2010.csv (PostDispatchInteractive/trash-update, data-22/csb-6.27.22/2010.csv);
    # expected columns as in tests/test_realdata.py STL_MAP (PRJCOMPLETEDATE is the due date).
    HeaderSet(
        "stl_csb", "cases",
        ("CALLERTYPE", "CITY", "DATECANCELLED", "DATEINVTDONE", "DATETIMECLOSED", "DATETIMEINIT", "DESCRIPTION",
         "EXPLANATION", "GROUP", "NEIGHBORHOOD", "PLAIN_ENGLISH_NAME_FOR_PROBLEMCODE", "PRJCOMPLETEDATE",
         "PROBADDRESS", "PROBADDTYPE", "PROBLEMCODE", "PROBZIP", "REQUESTID", "SRX", "SRY", "STATUS", "SUBMITTO",
         "WARD"),
        {"CALLERTYPE": "channel", "DATECANCELLED": None, "DATEINVTDONE": None, "DATETIMECLOSED": "closed_at",
         "DATETIMEINIT": "reported_at", "NEIGHBORHOOD": "community", "PRJCOMPLETEDATE": "due_at",
         "PROBLEMCODE": "category", "REQUESTID": "case_id", "STATUS": "status", "SUBMITTO": "handler"},
    ),
    # Boston 311: jqnatividad/qsv, resources/test/boston311-100.csv (header row). Boston's hierarchy is
    # subject (department) > reason (general issue area) > type (specific issue).
    HeaderSet(
        "boston311", "cases",
        ("case_enquiry_id", "open_dt", "target_dt", "closed_dt", "ontime", "case_status", "closure_reason",
         "case_title", "subject", "reason", "type", "queue", "department", "submittedphoto", "closedphoto",
         "location", "fire_district", "pwd_district", "city_council_district", "police_district", "neighborhood",
         "neighborhood_services_district", "ward", "precinct", "location_street_name", "location_zipcode",
         "latitude", "longitude", "source"),
        {"case_enquiry_id": "case_id", "open_dt": "reported_at", "target_dt": "due_at", "closed_dt": "closed_at",
         "ontime": None, "case_status": "status", "closure_reason": None, "reason": "category",
         "type": "subcategory", "department": "handler", "fire_district": None, "pwd_district": None,
         "city_council_district": None, "police_district": None, "neighborhood": "community",
         "neighborhood_services_district": None, "location_street_name": None, "source": "channel"},
    ),
    # Modelled on the City of Chicago 311 export (dataset v6vf-nfxy) in its CSV header spelling; the column names
    # are those in the $select lists of public repositories pulling that dataset (found by find_string).
    HeaderSet(
        "chicago311", "cases",
        ("SR_NUMBER", "SR_TYPE", "SR_SHORT_CODE", "CREATED_DEPARTMENT", "OWNER_DEPARTMENT", "STATUS", "ORIGIN",
         "CREATED_DATE", "LAST_MODIFIED_DATE", "CLOSED_DATE", "STREET_ADDRESS", "CITY", "STATE", "ZIP_CODE",
         "STREET_NUMBER", "STREET_DIRECTION", "STREET_NAME", "STREET_TYPE", "DUPLICATE", "LEGACY_RECORD",
         "LEGACY_SR_NUMBER", "PARENT_SR_NUMBER", "COMMUNITY_AREA", "WARD", "POLICE_DISTRICT", "LATITUDE",
         "LONGITUDE"),
        {"SR_NUMBER": "case_id", "SR_TYPE": "category", "CREATED_DEPARTMENT": None, "OWNER_DEPARTMENT": "handler",
         "STATUS": "status", "ORIGIN": "channel", "CREATED_DATE": "reported_at", "LAST_MODIFIED_DATE": None,
         "CLOSED_DATE": "closed_at", "STREET_NAME": None, "STREET_TYPE": None, "LEGACY_SR_NUMBER": None,
         "PARENT_SR_NUMBER": None, "COMMUNITY_AREA": "community", "POLICE_DISTRICT": None},
    ),
    # Chicago's older per-type 311 datasets: talos/docker4data,
    # data/socrata/data.cityofchicago.org/311_service_requests_pot_holes_reported/schema.sql, in the portal's
    # display spelling (as quoted in the dssg/411-on-311 wiki page "Data").
    HeaderSet(
        "chicago311_legacy", "cases",
        ("Creation Date", "Status", "Completion Date", "Service Request Number", "Type of Service Request",
         "Current Activity", "Most Recent Action", "Number of Potholes Filled on Block", "Street Address", "ZIP",
         "X Coordinate", "Y Coordinate", "Ward", "Police District", "Community Area", "SSA", "Latitude",
         "Longitude", "Location"),
        {"Creation Date": "reported_at", "Status": "status", "Completion Date": "closed_at",
         "Service Request Number": "case_id", "Type of Service Request": "category", "Most Recent Action": None,
         "Police District": None, "Community Area": "community"},
    ),
    # Baltimore 311: talos/docker4data, data/socrata/data.baltimorecity.gov/311_customer_service_requests/schema.sql.
    HeaderSet(
        "baltimore311", "cases",
        ("servicerequestnum", "code", "codedescription", "neighborhood", "address", "city", "state", "zip",
         "methodreceived", "createddate", "duedate", "statusdate", "status", "activity", "outcome", "updateddate"),
        {"servicerequestnum": "case_id", "codedescription": "category", "neighborhood": "community",
         "methodreceived": "channel", "createddate": "reported_at", "duedate": "due_at", "statusdate": None,
         "status": "status", "outcome": None, "updateddate": None},
    ),
    # Oakland public works requests: talos/docker4data,
    # data/socrata/data.oaklandnet.com/service_requests_received_by_public_works_through_june_30_2015/schema.sql.
    HeaderSet(
        "oakland_public_works", "cases",
        ("requestid", "datetimeinit", "source", "description", "reqcategory", "reqaddress", "status", "referredto",
         "datetimeclosed", "srx", "sry", "councildistrict"),
        {"requestid": "case_id", "datetimeinit": "reported_at", "source": "channel", "reqcategory": "category",
         "status": "status", "referredto": "handler", "datetimeclosed": "closed_at", "councildistrict": None},
    ),
    # Modelled on helpdesk/311 API dumps flattened to CSV: English headers with dots and underscores.
    HeaderSet(
        "ticket_dump_dotted", "cases",
        ("ticket.id", "created_at", "due_date", "closed_at", "ticket_status", "request_type", "sub_type", "channel",
         "assigned_to", "district_name", "neighbourhood", "satisfaction_score"),
        {"ticket.id": "case_id", "created_at": "reported_at", "due_date": "due_at", "closed_at": "closed_at",
         "ticket_status": "status", "request_type": "category", "sub_type": "subcategory", "channel": "channel",
         "assigned_to": "handler", "district_name": "district", "neighbourhood": "community",
         "satisfaction_score": "satisfaction"},
    ),
    # --- volunteer platforms ----------------------------------------------------------------------------------
    # ../shared/realdata/nyc_service_volunteer_opportunities.csv (UChicago-Tech-Team-In2It/classifier_skeleton);
    # expected columns as in tests/test_realdata.py VOL_MAP.
    HeaderSet(
        "nyc_volunteer_opportunities", "volunteer_activities",
        ("opportunity_id", "content_id", "vol_requests", "event_time", "title", "hits", "summary", "is_priority",
         "category_id", "category_desc", "amsl", "amsl_unit", "org_title", "org_content_id", "addresses_count",
         "locality", "region", "Postcode", "primary_loc", "display_url", "recurrence_type", "hours", "created_date",
         "last_modified_date", "start_date_date", "end_date_date", "status", "Borough", "Latitude", "Longitude",
         "Community Board", "Community Council ", "Census Tract", "BIN", "BBL", "NTA", "Zip Codes",
         "Community Districts", "Borough Boundaries", "City Council Districts", "Police Precincts"),
        {"opportunity_id": "activity_id", "content_id": None, "vol_requests": "volunteers", "event_time": None,
         "category_desc": "activity_type", "org_title": "team", "hours": "hours", "created_date": None,
         "start_date_date": "activity_date", "end_date_date": None, "Borough": "district",
         "Community Board": "community"},
    ),
    # Modelled on activity exports of volunteer platforms (志愿服务信息系统 / 志愿汇): 活动编号, 活动名称, 服务队名称,
    # 活动开始时间, 志愿者人数, 服务时长 ...
    HeaderSet(
        "volunteer_platform", "volunteer_activities",
        ("序号", "活动编号", "活动名称", "服务队名称", "所属区县", "所属街道", "所属社区", "服务类别", "活动开始时间",
         "活动结束时间", "志愿者人数", "服务时长（小时）", "服务人次", "活动状态"),
        {"序号": None, "活动编号": "activity_id", "服务队名称": "team", "所属区县": "district", "所属街道": "street",
         "所属社区": "community", "服务类别": "activity_type", "活动开始时间": "activity_date", "活动结束时间": None,
         "志愿者人数": "volunteers", "服务时长（小时）": "hours", "服务人次": "beneficiaries"},
    ),
    # A charity's activity statistics sheet (各个活动受益人数及人次统计表) described in enoa2014/windows01,
    # docs/2024-xls-structure.md; its two-row header flattened the way people flatten it.
    HeaderSet(
        "volunteer_stats_sheet", "volunteer_activities",
        ("序号", "年份", "月份", "服务中心", "项目领域", "活动类型", "活动日期", "活动名称", "受益对象", "统计人", "统计日期",
         "志愿者人数", "志愿者服务时长（小时）", "受益人次", "备注"),
        {"序号": None, "年份": None, "月份": None, "活动类型": "activity_type", "活动日期": "activity_date",
         "统计日期": None, "志愿者人数": "volunteers", "志愿者服务时长（小时）": "hours", "受益人次": "beneficiaries"},
    ),
    # Modelled on an English volunteer-hours roster with dotted/underscored headers.
    HeaderSet(
        "volunteer_roster_english", "volunteer_activities",
        ("activity.id", "activity_name", "team_name", "district", "street", "community", "service_date",
         "num_volunteers", "total_hours", "people_served"),
        {"activity.id": "activity_id", "team_name": "team", "district": "district", "street": "street",
         "community": "community", "service_date": "activity_date", "num_volunteers": "volunteers",
         "total_hours": "hours", "people_served": "beneficiaries"},
    ),
    # --- 微心愿 (micro-wishes) --------------------------------------------------------------------------------
    # Modelled on 微心愿 lists: 心愿编号, 许愿时间, 认领人, 认领时间, 实现时间, 心愿状态.
    HeaderSet(
        "wishes_list", "wishes",
        ("序号", "心愿编号", "心愿内容", "心愿类别", "许愿人", "许愿时间", "所属社区", "认领人", "认领时间", "实现时间",
         "心愿状态"),
        {"序号": None, "心愿编号": "wish_id", "心愿类别": "category", "许愿人": None, "许愿时间": "submitted_at",
         "所属社区": "community", "认领人": "claimed_by", "认领时间": "claimed_at", "实现时间": "fulfilled_at",
         "心愿状态": "status"},
    ),
    # Modelled on a 点亮微心愿 ledger kept in Excel by a street office: a bare 编号, 认领人（单位）, 完成时间.
    HeaderSet(
        "wishes_ledger", "wishes",
        ("编号", "镇街", "社区（村）", "心愿人姓名", "微心愿内容", "发布时间", "认领人（单位）", "认领时间", "完成时间", "状态"),
        {"编号": "wish_id", "镇街": "street", "社区（村）": "community", "心愿人姓名": None, "发布时间": "submitted_at",
         "认领人（单位）": "claimed_by", "认领时间": "claimed_at", "完成时间": "fulfilled_at", "状态": "status"},
    ),
    # --- task ledgers -------------------------------------------------------------------------------------------
    # Modelled on a 任务台账: 任务编号, 任务名称, 目标值, 完成值, 开始日期, 截止日期.
    HeaderSet(
        "task_ledger", "tasks",
        ("序号", "任务编号", "任务名称", "责任单位", "所属街道", "目标值", "完成值", "计量单位", "开始日期", "截止日期",
         "完成率"),
        {"序号": None, "任务编号": "task_id", "任务名称": "task", "所属街道": "street", "目标值": "target",
         "完成值": "actual", "计量单位": "unit", "开始日期": "period_start", "截止日期": "period_end", "完成率": None},
    ),
    # Modelled on an indicator ledger: duplicated 序号, 目标任务/实际完成, 起始日期/截至日期, 完成进度.
    HeaderSet(
        "task_indicator_ledger", "tasks",
        ("序号", "序号", "指标名称", "目标任务", "实际完成", "单位", "起始日期", "截至日期", "所属区县", "所属镇街", "完成进度"),
        {"序号": None, "指标名称": "task", "目标任务": "target", "实际完成": "actual", "单位": "unit",
         "起始日期": "period_start", "截至日期": "period_end", "所属区县": "district", "所属镇街": "street",
         "完成进度": None},
    ),
    # Modelled on a 年度重点工作推进表: 年度目标任务数, 截至目前完成数, 完成时限.
    HeaderSet(
        "task_progress_table", "tasks",
        ("工作任务", "年度目标任务数", "截至目前完成数", "开始时间", "完成时限", "区县", "街道"),
        {"工作任务": "task", "年度目标任务数": "target", "截至目前完成数": "actual", "开始时间": "period_start",
         "完成时限": "period_end", "区县": "district", "街道": "street"},
    ),
    # --- community registers -------------------------------------------------------------------------------------
    # Modelled on a 社区基本情况表: units in full-width brackets, both 常住人口 and 户籍人口.
    HeaderSet(
        "community_register", "communities",
        ("序号", "区县", "街道", "社区名称", "常住人口（人）", "户籍人口（人）", "户数（户）", "党员数", "网格数（个）",
         "专职网格员（人）", "党建品牌", "品牌工作法"),
        {"序号": None, "区县": "district", "街道": "street", "社区名称": "community", "常住人口（人）": "population",
         "户籍人口（人）": None, "户数（户）": "households", "党员数": "party_members", "网格数（个）": "grids",
         "专职网格员（人）": "grid_workers", "党建品牌": "brand", "品牌工作法": "brand_method"},
    ),
    # Modelled on a street office's community table: 社区（村）名称, 实有人口, 在册党员人数.
    HeaderSet(
        "community_register_street", "communities",
        ("所属街道", "社区（村）名称", "实有人口", "总户数", "在册党员人数", "网格数量", "网格员人数"),
        {"所属街道": "street", "社区（村）名称": "community", "实有人口": "population", "总户数": "households",
         "在册党员人数": "party_members", "网格数量": "grids", "网格员人数": "grid_workers"},
    ),
]

BY_ID = {s.id: s for s in SETS}


@lru_cache(maxsize=None)
def resolved(set_id: str) -> TableMatch:
    """The set's headers resolved with no options and a neutral file name (ImportFailure propagates)."""
    return resolve(list(BY_ID[set_id].headers), ImportOptions(), NEUTRAL_FILE)


def _xfail(reason: str | None) -> list:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _table_params():
    return [pytest.param(s.id, id=s.id, marks=_xfail(s.table_miss)) for s in SETS]


def _column_params():
    out = []
    for s in SETS:
        for header, column in s.expect.items():
            reason = "; ".join(r for r in (s.table_miss, s.misses.get(header)) if r)
            out.append(pytest.param(s.id, header, column, id=f"{s.id}:{header or '<empty>'}", marks=_xfail(reason)))
    return out


def test_header_sets_are_well_formed():
    assert len(SETS) >= 24
    assert len(BY_ID) == len(SETS)
    for s in SETS:
        assert s.table in TABLES, s.id
        for header, column in s.expect.items():
            assert header in s.headers, (s.id, header)
            assert column is None or column in TABLES[s.table].names, (s.id, header, column)
        assert set(s.misses) <= set(s.expect), s.id


@pytest.mark.parametrize("set_id", _table_params())
def test_table_chosen_from_headers_alone(set_id):
    assert resolved(set_id).table.name == BY_ID[set_id].table


@pytest.mark.parametrize(("set_id", "header", "column"), _column_params())
def test_header_maps_to_canonical_column(set_id, header, column):
    match = resolved(set_id)
    assert (match.table.name, match.mapping.get(header)) == (BY_ID[set_id].table, column)


# --- determinism ---------------------------------------------------------------------------------------------

def _outcome(headers: list[str]) -> tuple:
    """What resolve makes of headers: the table and mapping, or the failure (a failure must be stable too)."""
    try:
        match = resolve(headers, ImportOptions(), NEUTRAL_FILE)
    except ImportFailure as e:
        return ("failure", e.en)
    return ("ok", match.table.name, match.mapping)


@pytest.mark.parametrize("set_id", [pytest.param(s.id, id=s.id, marks=_xfail(s.order_miss)) for s in SETS])
def test_shuffled_header_order_gives_the_same_mapping(set_id):
    headers = list(BY_ID[set_id].headers)
    base = _outcome(headers)
    assert _outcome(list(headers)) == base
    for seed in range(8):
        shuffled = list(headers)
        random.Random(seed).shuffle(shuffled)
        assert _outcome(shuffled) == base, seed


# --- 序号 is a row number, never an id -----------------------------------------------------------------------

ID_COLUMNS = {"case_id", "activity_id", "wish_id", "task_id"}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_xuhao_scores_as_no_id_in_any_table(table):
    for text in ("序号", "序号*", "序 号", "（序号）"):
        assert not ID_COLUMNS & set(scores(fold(text), table)), text


@pytest.mark.parametrize("set_id", [s.id for s in SETS if "序号" in s.headers])
def test_xuhao_never_taken_as_id_in_a_real_set(set_id):
    assert all(m.header != "序号" for m in resolved(set_id).columns)


@pytest.mark.parametrize("headers", [
    ["序号", "上报时间", "办结时间", "事件状态"],
    ["序号", "序号", "心愿内容", "许愿时间", "认领人"],
    ["序号", "任务名称", "开始日期", "目标值", "完成值"],
])
def test_xuhao_stays_unmapped_even_when_no_other_id_exists(headers):
    match = resolve(headers, ImportOptions(), NEUTRAL_FILE)
    assert not ID_COLUMNS & {m.column for m in match.columns}
    assert "序号" in match.unmapped


@pytest.mark.parametrize(("headers", "table"), [
    (["序号", "事件编号", "上报时间", "事件状态"], "cases"),
    (["序号", "活动编号", "活动日期", "服务时长"], "volunteer_activities"),
    (["序号", "心愿编号", "许愿时间", "认领人"], "wishes"),
    (["序号", "任务编号", "任务名称", "开始日期", "目标值", "完成值"], "tasks"),
])
def test_xuhao_left_aside_when_a_real_id_follows(headers, table):
    match = resolve(headers, ImportOptions(), NEUTRAL_FILE)
    assert match.table.name == table
    assert "序号" in match.unmapped
    assert match.mapping[headers[1]] in ID_COLUMNS


# --- a competing 最后受理时间 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    ["事件编号", "最后受理时间", "上报时间", "办结时间", "事件状态"],
    ["事件编号", "上报时间", "最后受理时间", "办结时间", "事件状态"],
    ["最后受理时间", "事件编号", "事件状态", "办结时间", "上报时间"],
], ids=["before", "after", "first"])
def test_last_acceptance_time_loses_to_report_time(headers):
    match = resolve(headers, ImportOptions(), NEUTRAL_FILE)
    assert match.table.name == "cases"
    assert match.mapping["上报时间"] == "reported_at"
    assert "最后受理时间" not in match.mapping
    assert scores(fold("最后受理时间"), "cases").get("reported_at", 0) < scores(fold("上报时间"), "cases")["reported_at"]


# --- ColumnMatch scores ----------------------------------------------------------------------------------------

def _synonyms(table: str, column: str) -> set[str]:
    col = TABLES[table].column(column)
    return {fold(s) for s in (*col.synonyms, col.name)}


@pytest.mark.parametrize("set_id", [s.id for s in SETS if not s.table_miss])
def test_column_match_score_is_one_for_exact_and_below_one_for_meaning(set_id):
    match = resolved(set_id)
    assert match.columns
    for m in match.columns:
        if fold(m.header) in _synonyms(match.table.name, m.column):
            assert (m.how, m.score) == ("exact", 1.0), m
        else:
            assert m.how == "meaning", m
            assert MIN_SCORE <= m.score < 1.0, m
        assert m.confidence == f"{m.score:.0%}"


@pytest.mark.parametrize(("header", "column", "how"), [
    ("工单编号", "case_id", "exact"),
    ("工单编号*", "case_id", "exact"),          # the star folds away: still the synonym
    ("Unique Key", "case_id", "exact"),
    ("县（市、区）", "district", "meaning"),
    ("乡镇（街道）", "street", "meaning"),
    ("社区（村）", "community", "meaning"),
    ("办结职能科室/部门", "handler", "meaning"),
    ("Created Date", "reported_at", "meaning"),
])
def test_single_column_match_how_and_score(header, column, how):
    headers = [header, "上报时间" if column != "reported_at" else "事件编号", "办结时间"]
    match = resolve(headers, ImportOptions(), NEUTRAL_FILE)
    found = [m for m in match.columns if m.header == header]
    assert len(found) == 1
    m = found[0]
    assert (m.column, m.how) == (column, how)
    if how == "exact":
        assert m.score == 1.0
    else:
        assert 0 < m.score < 1.0
