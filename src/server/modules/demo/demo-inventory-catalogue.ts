/**
 * The demo catalogue of information systems of the new Gia Lai province: shared provincial platforms, the
 * systems each former province (Bình Định, old Gia Lai) brought into the merger, departmental and police
 * systems. Names follow research §5 (iGate, Cổng Dịch vụ công, LGSP, IOC, VNPT-iOffice, TSLCD …); volumes and
 * document numbers are plausible demo values, not facts. Seed-independent: the generator adds the variation.
 */

export type Info = { priv?: boolean; personal?: number; sensitive?: number; secret?: 'mat' | 'toi_mat' };

export interface CatalogueEntry {
  code: string;
  name: string;
  purpose: string;
  type: 'internal' | 'citizen_service' | 'infrastructure' | 'industrial_control' | 'other';
  owner: string;
  operating?: string;
  security?: string;
  origin: 'bd' | 'gl' | 'new';
  info?: Info;
  dvc?: number;
  tthc?: boolean;
  infra?: 'single_agency' | 'sector_or_provinces';
  ics?: 'IV' | 'III' | 'II' | 'I';
  conditional?: boolean;
  impact?: 'harm' | 'serious';
  lgsp?: boolean;
  ndxp?: boolean;
  csdldc?: boolean;
  users?: [number, number];
  hosting?: 'provincial_data_centre' | 'unit_server_room' | 'vendor_cloud' | 'national_platform';
  /** Code of the composite system this is a part of. */
  parent?: string;
  /** Legacy systems: what the merger plan does with them. */
  fate?: { disposition: 'keep' | 'consolidate' | 'retire' | 'reuse_assets'; into?: string };
}

const CDS = 'SO-KHCN-TT-CDS';

/** Shared provincial platforms after 2025-07-01 (owner UBND tỉnh bodies, operated by Trung tâm Chuyển đổi số). */
export const SHARED: CatalogueEntry[] = [
  { code: 'GL-IGATE', name: 'Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Gia Lai (iGate)', purpose: 'Tiếp nhận, giải quyết hồ sơ thủ tục hành chính của tổ chức, công dân trên toàn tỉnh', type: 'citizen_service', owner: 'TT-PVHCC', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 1_850_000, sensitive: 42_000 }, dvc: 4, tthc: true, lgsp: true, ndxp: true, csdldc: true, users: [4_200, 1_850_000], hosting: 'provincial_data_centre' },
  { code: 'GL-IGATE-MCX', name: 'Phân hệ một cửa điện tử cấp xã', purpose: 'Tiếp nhận và trả kết quả hồ sơ tại bộ phận một cửa của 135 xã, phường', type: 'citizen_service', owner: 'TT-PVHCC', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 640_000 }, dvc: 4, tthc: true, parent: 'GL-IGATE', users: [2_700, 640_000], hosting: 'provincial_data_centre' },
  { code: 'GL-IGATE-TT', name: 'Phân hệ thanh toán trực tuyến phí, lệ phí', purpose: 'Kết nối thanh toán trực tuyến qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia', type: 'citizen_service', owner: 'TT-PVHCC', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 210_000 }, parent: 'GL-IGATE', ndxp: true, users: [150, 210_000], hosting: 'provincial_data_centre' },
  { code: 'GL-DVC', name: 'Cổng Dịch vụ công tỉnh Gia Lai', purpose: 'Cung cấp dịch vụ công trực tuyến toàn trình và một phần cho người dân, doanh nghiệp', type: 'citizen_service', owner: 'TT-PVHCC', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 1_850_000 }, dvc: 4, lgsp: true, ndxp: true, csdldc: true, users: [300, 1_850_000], hosting: 'provincial_data_centre' },
  { code: 'GL-IOFFICE', name: 'Hệ thống quản lý văn bản và điều hành tỉnh Gia Lai (VNPT-iOffice)', purpose: 'Quản lý văn bản đến, đi, hồ sơ công việc và chữ ký số của các cơ quan nhà nước trong tỉnh', type: 'internal', owner: 'VP-UBND', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 14_500 }, lgsp: true, ndxp: true, users: [14_500, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-MAIL', name: 'Hệ thống thư điện tử công vụ tỉnh Gia Lai', purpose: 'Thư điện tử công vụ @gialai.gov.vn cho cán bộ, công chức, viên chức', type: 'internal', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 16_000 }, users: [16_000, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-LGSP', name: 'Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP)', purpose: 'Kết nối, chia sẻ dữ liệu giữa các hệ thống của tỉnh và với NDXP, CSDL quốc gia', type: 'infrastructure', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', infra: 'sector_or_provinces', ndxp: true, csdldc: true, users: [60, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-IOC', name: 'Trung tâm giám sát, điều hành thông minh tỉnh Gia Lai (IOC)', purpose: 'Giám sát chỉ số kinh tế - xã hội, phản ánh hiện trường, camera và dữ liệu chuyên ngành', type: 'internal', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 95_000 }, lgsp: true, users: [420, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-CTTDT', name: 'Cổng thông tin điện tử tỉnh Gia Lai', purpose: 'Công bố thông tin chỉ đạo, điều hành, văn bản quy phạm pháp luật của tỉnh', type: 'citizen_service', owner: 'VP-UBND', operating: 'VP-UBND-TT-TTCB', security: 'SO-KHCN', origin: 'new', dvc: 1, users: [80, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-HNTH', name: 'Hệ thống hội nghị truyền hình trực tuyến tỉnh - xã', purpose: 'Họp trực tuyến giữa UBND tỉnh, các sở, ngành và 135 xã, phường', type: 'internal', owner: 'VP-UBND', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true }, users: [900, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-TTDL', name: 'Trung tâm dữ liệu tỉnh Gia Lai', purpose: 'Hạ tầng máy chủ, lưu trữ, ảo hóa dùng chung cho các hệ thống của tỉnh', type: 'infrastructure', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', infra: 'sector_or_provinces', users: [40, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-TSLCD', name: 'Mạng truyền số liệu chuyên dùng cấp II tỉnh Gia Lai', purpose: 'Kết nối mạng diện rộng giữa các cơ quan đảng, nhà nước trong tỉnh', type: 'infrastructure', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', infra: 'sector_or_provinces', users: [0, 0], hosting: 'national_platform' },
  { code: 'GL-KDL', name: 'Kho dữ liệu dùng chung tỉnh Gia Lai', purpose: 'Lưu trữ dữ liệu mở và dữ liệu chủ của tỉnh phục vụ khai thác, phân tích', type: 'internal', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 320_000 }, lgsp: true, users: [250, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-CKS', name: 'Hệ thống xác thực tập trung và chữ ký số tỉnh Gia Lai', purpose: 'Đăng nhập một lần (SSO) cho các hệ thống dùng chung, ký số văn bản', type: 'internal', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 16_000 }, users: [16_000, 0], hosting: 'provincial_data_centre' },
  { code: 'GL-PAKN', name: 'Hệ thống tiếp nhận, xử lý phản ánh, kiến nghị (Gia Lai S)', purpose: 'Ứng dụng di động tiếp nhận phản ánh hiện trường của người dân', type: 'citizen_service', owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN', origin: 'new', info: { priv: true, personal: 128_000 }, lgsp: true, users: [600, 128_000], hosting: 'vendor_cloud' },
];

/** What each former province brought: same archetypes, with their fate in the merger plan. */
export function legacyOf(prov: 'bd' | 'gl'): CatalogueEntry[] {
  const P = prov === 'bd' ? 'BD' : 'GLC';
  const name = prov === 'bd' ? 'tỉnh Bình Định' : 'tỉnh Gia Lai (cũ)';
  const site = prov === 'bd' ? 'Quy Nhơn' : 'Pleiku';
  const base = { origin: prov, owner: 'SO-KHCN', operating: CDS, security: 'SO-KHCN' } as const;
  return [
    { ...base, code: `${P}-MCDT`, name: `Hệ thống thông tin một cửa điện tử ${name}`, purpose: 'Giải quyết thủ tục hành chính trước khi hợp nhất tỉnh', type: 'citizen_service', owner: 'TT-PVHCC', info: { priv: true, personal: prov === 'bd' ? 1_100_000 : 780_000 }, dvc: 4, tthc: true, lgsp: true, users: [2_300, 900_000], hosting: 'unit_server_room', fate: prov === 'bd' ? { disposition: 'keep', into: undefined } : { disposition: 'consolidate', into: 'GL-IGATE' } },
    { ...base, code: `${P}-DVC`, name: `Cổng Dịch vụ công ${name}`, purpose: 'Dịch vụ công trực tuyến của tỉnh trước hợp nhất', type: 'citizen_service', owner: 'TT-PVHCC', info: { priv: true, personal: prov === 'bd' ? 900_000 : 600_000 }, dvc: 4, users: [150, 700_000], hosting: 'unit_server_room', fate: { disposition: 'consolidate', into: 'GL-DVC' } },
    { ...base, code: `${P}-QLVB`, name: `Hệ thống quản lý văn bản và điều hành ${name}`, purpose: 'Văn bản đến, đi và điều hành của các cơ quan trong tỉnh', type: 'internal', owner: 'VP-UBND', info: { priv: true, personal: 7_500 }, users: [7_500, 0], hosting: 'unit_server_room', fate: { disposition: 'consolidate', into: 'GL-IOFFICE' } },
    { ...base, code: `${P}-MAIL`, name: `Hệ thống thư điện tử công vụ ${name}`, purpose: 'Thư điện tử công vụ trước hợp nhất', type: 'internal', info: { priv: true, personal: 8_000 }, users: [8_000, 0], hosting: 'unit_server_room', fate: { disposition: 'consolidate', into: 'GL-MAIL' } },
    { ...base, code: `${P}-LGSP`, name: `Nền tảng tích hợp, chia sẻ dữ liệu ${name}`, purpose: 'LGSP của tỉnh trước hợp nhất', type: 'infrastructure', infra: 'sector_or_provinces', users: [30, 0], hosting: 'unit_server_room', fate: { disposition: 'consolidate', into: 'GL-LGSP' } },
    { ...base, code: `${P}-CTTDT`, name: `Cổng thông tin điện tử ${name}`, purpose: 'Thông tin chỉ đạo điều hành của tỉnh trước hợp nhất', type: 'citizen_service', owner: 'VP-UBND', dvc: 1, users: [50, 0], hosting: 'unit_server_room', fate: { disposition: 'retire' } },
    { ...base, code: `${P}-HNTH`, name: `Hệ thống hội nghị truyền hình ${name}`, purpose: 'Họp trực tuyến tỉnh - huyện trước hợp nhất', type: 'internal', owner: 'VP-UBND', info: { priv: true }, users: [400, 0], hosting: 'unit_server_room', fate: { disposition: 'reuse_assets' } },
    { ...base, code: `${P}-TTDL`, name: `Trung tâm dữ liệu ${name} (${site})`, purpose: 'Phòng máy chủ và hạ tầng ảo hóa của tỉnh trước hợp nhất', type: 'infrastructure', infra: 'sector_or_provinces', users: [20, 0], hosting: 'unit_server_room', fate: prov === 'bd' ? { disposition: 'keep' } : { disposition: 'reuse_assets' } },
    { ...base, code: `${P}-IOC`, name: `Trung tâm giám sát, điều hành đô thị thông minh ${site}`, purpose: 'Giám sát đô thị, camera giao thông của thành phố trước hợp nhất', type: 'internal', info: { priv: true, personal: 40_000 }, users: [120, 0], hosting: 'unit_server_room', fate: { disposition: 'consolidate', into: 'GL-IOC' } },
  ];
}

/** Departmental and police systems: [owner body code, code suffix, name, type, facts]. */
export const DEPARTMENTAL: CatalogueEntry[] = [
  ['SO-NV', 'CBCCVC', 'Cơ sở dữ liệu cán bộ, công chức, viên chức tỉnh', 'internal', { info: { priv: true, personal: 38_000, sensitive: 38_000 }, ndxp: true }],
  ['SO-NV', 'VIECLAM', 'Hệ thống thông tin thị trường lao động, việc làm', 'citizen_service', { info: { priv: true, personal: 160_000 }, dvc: 4, lgsp: true }],
  ['SO-NV', 'LUUTRU', 'Hệ thống lưu trữ hồ sơ điện tử tỉnh', 'internal', { info: { priv: true, personal: 60_000 } }],
  ['SO-TC', 'QLNS', 'Hệ thống quản lý ngân sách và đầu tư công', 'internal', { info: { priv: true } }],
  ['SO-TC', 'DKKD', 'Hệ thống đăng ký doanh nghiệp và hộ kinh doanh', 'citizen_service', { info: { priv: true, personal: 85_000 }, dvc: 4, lgsp: true, ndxp: true }],
  ['SO-TC', 'GIA', 'Cơ sở dữ liệu giá tỉnh', 'internal', { info: { priv: true } }],
  ['SO-TP', 'HOTICH', 'Hệ thống đăng ký, quản lý hộ tịch điện tử', 'citizen_service', { info: { priv: true, personal: 2_900_000, sensitive: 120_000 }, dvc: 4, tthc: true, csdldc: true, ndxp: true }],
  ['SO-TP', 'LLTP', 'Phần mềm quản lý lý lịch tư pháp', 'citizen_service', { info: { priv: true, personal: 90_000, sensitive: 90_000 }, dvc: 4, csdldc: true }],
  ['SO-TP', 'CCTT', 'Cơ sở dữ liệu công chứng, chứng thực', 'internal', { info: { priv: true, personal: 210_000 } }],
  ['SO-CT', 'TMDT', 'Sàn thương mại điện tử nông sản Gia Lai', 'citizen_service', { info: { priv: true, personal: 12_000 }, conditional: true }],
  ['SO-CT', 'QLCN', 'Cơ sở dữ liệu cụm công nghiệp và năng lượng', 'internal', { info: { priv: true } }],
  ['SO-XD', 'DENGIAOTHONG', 'Hệ thống điều khiển đèn tín hiệu giao thông phường Quy Nhơn', 'industrial_control', { ics: 'III' }],
  ['SO-XD', 'CAPPHEP', 'Hệ thống cấp phép xây dựng trực tuyến', 'citizen_service', { info: { priv: true, personal: 45_000 }, dvc: 4 }],
  ['SO-XD', 'GPLX', 'Hệ thống quản lý phương tiện và người lái', 'citizen_service', { info: { priv: true, personal: 380_000 }, dvc: 3, csdldc: true }],
  ['SO-KHCN', 'SHTT', 'Cơ sở dữ liệu khoa học và công nghệ tỉnh', 'internal', { info: { priv: true } }],
  ['SO-KHCN', 'DLDL', 'Nền tảng dữ liệu đo lường chất lượng', 'internal', { info: { priv: true } }],
  ['SO-YT', 'HSSK', 'Hệ thống hồ sơ sức khỏe điện tử tỉnh', 'citizen_service', { info: { priv: true, personal: 2_400_000, sensitive: 2_400_000 }, csdldc: true, ndxp: true }],
  ['SO-YT', 'TIEMCHUNG', 'Hệ thống quản lý tiêm chủng', 'internal', { info: { priv: true, personal: 900_000, sensitive: 900_000 } }],
  ['SO-YT', 'KCB', 'Cổng kết nối dữ liệu khám chữa bệnh', 'infrastructure', { info: { priv: true, sensitive: 8_500 }, infra: 'single_agency' }],
  ['SO-NNMT', 'DATDAI', 'Hệ thống thông tin đất đai tỉnh Gia Lai', 'citizen_service', { info: { priv: true, personal: 1_300_000 }, dvc: 4, tthc: true, lgsp: true, csdldc: true }],
  ['SO-NNMT', 'QTMT', 'Hệ thống quan trắc môi trường tự động', 'industrial_control', { ics: 'IV' }],
  ['SO-NNMT', 'SCADA-DINHBINH', 'Hệ thống SCADA vận hành hồ chứa nước Định Bình', 'industrial_control', { ics: 'I' }],
  ['SO-NNMT', 'THUYLOI', 'Hệ thống giám sát mực nước, cảnh báo lũ hạ du sông Kôn - Hà Thanh', 'industrial_control', { ics: 'II' }],
  ['SO-NNMT', 'RUNG', 'Cơ sở dữ liệu tài nguyên rừng', 'internal', { info: { priv: true } }],
  ['SO-GDDT', 'CSDLGD', 'Cơ sở dữ liệu ngành giáo dục tỉnh', 'internal', { info: { priv: true, personal: 760_000, sensitive: 4_000 }, ndxp: true }],
  ['SO-GDDT', 'TUYENSINH', 'Hệ thống tuyển sinh đầu cấp trực tuyến', 'citizen_service', { info: { priv: true, personal: 98_500 }, dvc: 4 }],
  ['SO-GDDT', 'VANBANG', 'Hệ thống quản lý văn bằng, chứng chỉ', 'citizen_service', { info: { priv: true, personal: 99_999 }, dvc: 3 }],
  ['SO-VHTTDL', 'DULICH', 'Cổng thông tin du lịch Gia Lai', 'citizen_service', { dvc: 1 }],
  ['SO-VHTTDL', 'DISAN', 'Cơ sở dữ liệu di sản văn hóa', 'internal', {}],
  ['SO-DTTG', 'DANTOC', 'Cơ sở dữ liệu dân tộc, tôn giáo', 'internal', { info: { priv: true, personal: 450_000, sensitive: 450_000 } }],
  ['SO-NGV', 'XNC', 'Hệ thống quản lý đoàn ra, đoàn vào', 'internal', { info: { priv: true, personal: 3_000 } }],
  ['THANH-TRA', 'KNTC', 'Cơ sở dữ liệu tiếp công dân, khiếu nại, tố cáo', 'internal', { info: { priv: true, personal: 22_000, sensitive: 22_000 }, ndxp: true }],
  ['BQL-KKT', 'DAUTU', 'Hệ thống quản lý dự án đầu tư Khu kinh tế Nhơn Hội', 'internal', { info: { priv: true } }],
  ['CA', 'CUTRU', 'Hệ thống phục vụ nghiệp vụ quản lý cư trú cấp tỉnh', 'internal', { info: { priv: true, personal: 3_150_000, secret: 'mat' }, csdldc: true }],
  ['CA', 'CAMERA', 'Hệ thống camera giám sát an ninh, trật tự', 'internal', { info: { priv: true, personal: 500_000, secret: 'mat' }, impact: 'harm' }],
  ['CA', 'PA05-GSAT', 'Hệ thống giám sát an ninh mạng của PA05', 'internal', { info: { priv: true, secret: 'toi_mat' }, impact: 'serious' }],
  ['CA', 'DVC-CA', 'Cổng dịch vụ công Công an tỉnh', 'citizen_service', { info: { priv: true, personal: 600_000 }, dvc: 4, tthc: true, csdldc: true }],
  ['CA', 'XLVP', 'Hệ thống xử lý vi phạm hành chính giao thông', 'internal', { info: { priv: true, personal: 240_000, secret: 'mat' } }],
].map(([owner, suffix, name, type, f]) => {
  const facts = f as Record<string, unknown>;
  return {
    code: `${owner as string}-${suffix as string}`,
    name: name as string,
    purpose: `${name as string} của ${owner === 'CA' ? 'Công an tỉnh' : 'cơ quan chủ quản'}`,
    type: type as CatalogueEntry['type'],
    owner: owner as string,
    operating: owner === 'CA' ? 'CA-PA05' : (owner as string),
    security: owner === 'CA' ? 'CA-PA05' : 'SO-KHCN',
    origin: 'new' as const,
    hosting: (owner === 'CA' ? 'unit_server_room' : 'provincial_data_centre') as CatalogueEntry['hosting'],
    ...(facts as Partial<CatalogueEntry>),
  };
});
