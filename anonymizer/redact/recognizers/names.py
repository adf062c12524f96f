"""Names of people.

Names come from two sources.  The known names of the account's own people
(policyholder, family, group contact) are matched exactly, and so is the given
name of a three-character one (子涵 for 张子涵), where they stand as names (not
高峰 in 高峰期, 江山 in 江山市); the detectors do not extend them, and a number or
a time word after a name is not part of it (潘阿妹八十二岁, 陈丽华明天).  Unknown names are a surname
from the dictionary below (百家姓 and common modern surnames, compound ones
too) plus zero to two given-name characters from a list of the characters
given names are made of, accepted only in context: before a courtesy cue
(王先生, 李建国女士, 刘总; a surname outside the dictionary too when it stands
alone at the start of a clause: ，原女士要求…), after a word that introduces a
person (投保人, 联系人, 收件人, 我叫…; after the weaker 客户, 是, 给, 代 only when
a word that usually follows a name comes next: 来电, 咨询, 的, 说…), in a list
after another name (张三、李四), at the start of a clause before a verb
(…，李建国来电) or a phone number, and 老王/小李.  Words that begin with a
surname character (高血压, 周一, 马上, 方便, 常州, 家庭…) are refused by a list,
by region names (seeds/regions.csv) and by characters that are not in given
names (血, 额, 烧, 婆…).

Deliberately not used: a segmentation library's person tags.  jieba's
``posseg`` was measured at ~3k notes/s (this module: ~50k on the hard corpus of
``anonymizer.corpus``) and tags product names such as 惠锡保 as people.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from anonymizer.redact.base import PLAIN, Context, Found, Recognizer, alternation, han
from anonymizer.redact.places import PLACE_STEMS, REGION_NAMES

_S = Found

# 百家姓 (single-character surnames, minus a few that are mostly ordinary words: 有 爱 言 能
# 从 那 空 后 相 通 别 终 益 养) and common modern surnames it lacks.
SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎"
    "鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
    "和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭"
    "梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚"
    "程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰鄂索咸籍赖卓蔺屠蒙池乔阴郁胥苍双闻莘"
    "党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿边扈燕冀郏浦尚农温庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎"
    "戈廖庾暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚简饶曾毋沙乜鞠须丰"
    "巢关蒯查荆红游竺权逯盖桓公晋楚闫法汝鄢涂钦岳帅缑亢况郈琴商牟佘佴伯赏墨哈谯笪年阳佟福綦冒"
    "肖付覃谌冼邝粟芦苟仝兰庹揭练"
    "眭郇禤仉蹇苻戢亓麦邸郄檀栗"
) - {"有", "爱", "言", "能", "从", "那", "空", "后", "相", "通", "别", "终", "益", "养"}
COMPOUND_SURNAMES = frozenset((
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊", "澹台",
    "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐", "钟离", "宇文",
    "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "子车", "颛孙", "端木", "巫马", "公西",
    "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "呼延", "归海", "羊舌", "微生",
    "梁丘", "左丘", "西门", "南宫",
))
# The most common surnames: enough evidence with a cue even without a clean left boundary.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
)
# Courtesy cues after a name.  Surname + cue is a name mention (王先生); full name + cue
# keeps the cue (李建国〔…〕女士 → 〔姓名〕女士).
CUES = ("先生", "女士", "小姐", "老师", "阿姨", "师傅", "经理", "工", "老", "老伯", "老太", "老太太", "老先生", "教授",
        "组长", "客服", "院长", "博士", "某某", "某", "书记", "老先生", "老太太", "老爷子", "老头", "老大", "老二", "老三",
        "老四", "老五", "团长", "科长", "行长", "厂长", "姐姐", "哥哥",
        "阿公", "阿伯", "嫂", "婶", "叔", "伯", "爹", "妈", "伯伯", "阿婆", "老爷子", "部长", "局长", "队长", "班长", "站长", "所长", "大爷", "大妈", "大姐", "大哥", "同学", "医生",
        "主任", "老板", "护士", "律师", "叔叔", "阿姨", "奶奶", "爷爷", "太太", "夫人", "总", "姐", "哥", "科长",
        "处长", "主管", "专员", "会计", "警官", "同志", "XX", "××", "**")
# Cues that with a common surname need no clean left boundary (…致电王先生).
_COURTESY = frozenset(("先生", "女士", "小姐", "阿姨", "老师", "师傅", "大爷", "大妈"))
_SOFT_CUES = _COURTESY | {"经理", "医生", "主任", "教授", "护士", "律师", "某", "某某", "老先生", "老太太", "老爷子"}
# Words that introduce a person: a name may follow directly (or after ：).
INTRODUCERS = (
    "客户", "其中", "因", "由", "投保人", "被保人", "被保险人", "联系人", "收件人", "收货人", "代", "是", "叫", "名叫", "名字", "姓名",
    "户名", "申请人", "受益人", "监护人", "经办人", "家属", "患者", "病人", "来电人", "投诉人", "举报人", "市民",
    "用户", "爱人", "老公", "丈夫", "妻子", "老婆", "儿子", "女儿", "父亲", "母亲", "爸爸", "妈妈", "我爸", "我妈",
    "孩子", "宝宝", "同事", "朋友", "业务员", "推荐人", "介绍人", "自称", "配偶", "老伴", "亲属", "坐席", "客服",
    "给", "帮", "替", "找", "转告", "致电", "回电", "回访", "联系", "通知", "提醒", "拨打", "委托", "授权", "本人",
    "签收", "员工", "职工", "成员", "的", "为", "谢谢", "感谢", "碰到", "遇到", "见到", "家长", "来访者",
    "我和", "他和", "她和", "叫我", "大名", "小名", "学名", "全名", "真名",
)
# Roles of staff and third parties: a name follows directly, a surname alone too (受理人：庞,
# 理赔组长蒋已致歉, 坐席汤), and a nickname or a surname + title after them (护士小蒋, 理赔员钱工).
ROLES = (
    "受理人", "坐席", "理赔员", "组长", "业务员", "回访人", "被投诉人", "当事人", "接待人", "人事", "陌生人", "司机",
    "护士", "护士长", "主管", "经办人", "接收", "发起", "复核人", "代办人", "二线", "白班", "晚班", "质检", "同事",
    "外甥", "骑手", "甲方", "乙方", "对方", "发起人", "接收人", "核赔员", "查勘员", "调查员", "专员", "客服",
    "回访对象", "领款人", "出险人", "被访人", "持卡人", "开户人", "主治", "主治医生", "医生", "负责人", "驾驶员",
    "转给", "转交", "交给", "移交", "员工", "职工", "老职工", "被调查人", "调查人", "伤者", "车主", "户主",
    "推广员", "老板", "实名", "真名", "昵称", "本名", "团长", "网格员", "网格长", "社工", "志愿者", "陪诊员", "理赔专员",
    "邻居", "前夫", "前妻", "生母", "生父", "继母", "继父", "法定代表人", "代表人", "收款人", "经办", "复核", "抄送",
    "开发", "运维", "组织者", "村委", "物业", "保安", "快递员", "销售", "客户代表", "致", "人员", "患者", "病人",
    "转", "一线", "三线", "班长", "理赔", "核查员", "核查", "调取", "车主", "驾驶人", "乘客", "伤者", "律师", "医师",
    "住院医师", "审核", "录入", "起草", "登记人", "收件", "补录人", "处理人", "家访人", "签字", "值班长", "已由", "上级", "二线", "客户经理", "理赔组长", "质检员", "审核人", "录入人", "操作员",
    "复核员", "审核员", "核保员", "调解员", "审批人", "审批员", "协办人", "督办人", "承办人", "对接人",
    "理赔组", "客服组", "核赔组", "理赔部", "客服部", "持证人", "家长", "接待", "来访者", "工作人员", "麻烦",
)
# Kinship words: a full name, or a given name alone (女儿晨晨, 我姐金凤), follows them.
KIN = (
    "其夫", "其妻", "其父", "其母", "其子", "其女", "我姐", "我哥", "我弟", "我妹", "她姐", "他姐", "她哥", "他哥",
    "外婆", "外公", "婆婆", "公公", "爷爷", "奶奶", "孙女", "外孙", "外孙女", "外甥女", "侄子", "侄女", "女婿",
    "儿媳", "媳妇", "老妈", "老爸", "姐姐", "哥哥", "妹妹", "弟弟", "岳父", "岳母", "舅舅", "姨妈", "姑姑", "小姨",
    "舅妈", "婶婶", "表哥", "表姐", "表妹", "表弟", "堂哥", "堂姐", "闺女", "大女儿", "小女儿", "大儿子", "小儿子",
    "二女儿", "孙子", "老头子", "老太婆", "老伴", "小孩", "孩子", "宝宝", "女儿", "儿子", "我女儿", "我儿子",
    "我妈", "我爸", "我婆婆", "我公公", "我老婆", "我老公", "我爱人", "我丈夫", "我妻子", "她妹", "他妹", "她弟",
    "他弟", "她哥", "他哥", "她姐", "他姐", "我外婆", "我外公", "我奶奶", "我爷爷", "姆妈", "阿爸", "阿妈",
    "姑娘", "我姑娘", "我闺女", "干妈", "干爹", "我干妈", "我干爹", "她爸", "她妈", "他爸", "他妈",
)
# Introducers after which the next two to four characters up to a punctuation mark are a
# name even when the surname is not in the dictionary (姓名：朴倩，).
STRONG_INTRODUCERS = frozenset((
    "姓名", "名字", "叫", "名叫", "户名", "收件人", "收货人", "联系人", "投保人", "被保人", "被保险人", "申请人",
    "投诉人", "来电人", "经办人", "受益人", "监护人", "家属", "我叫", "自称", "大名", "小名", "学名", "全名", "真名",
))
# Pronouns and determiners before a cue: 该女士, 其先生, 这位先生 are not names.
_NOT_SURNAME_BEFORE_CUE = frozenset("该这那其她他我你您老男女贵本此某各每哪有位的个名")
# Characters that start the word after a name (so a name may end before them).
_FOLLOW = frozenset(
    "来说称的在和与及跟对要想因已于为等也都又还就被把给让向从到去有没不请打问咨询反投致电手证身邮地住办申"
    "查今昨前后岁个们这那吗呢吧啊了着过之其所而但或告核需表确回陪收寄退名次再经一两三四五六七八九十本夫妻"
    "儿女父母爸妈丈老会能可是今明昨早晚上下午年月日号先签已未现刚目代陪送帮让你我他她您离第啦呀哈嘛留"
    "付交缴买报带碰"
)
# Characters of given names (the common ones: 伟 芳 建国 子涵 梓萱…).  A candidate whose given part
# has another character (高烧, 公婆, 童装, 客服) is a word, not a name.
NAME_CHARS = frozenset(
    "德仁义礼智信忠孝廉勤俭诚善良慈恩惠贤淑雅静宁安康泰和谐顺乐欢喜庆福禄寿禧祥瑞吉嘉佳美秀丽艳娇婉柔端庄敏慧聪颖睿哲"
    "思博学文武英豪杰俊伟雄强刚毅勇威力健壮坚奋志远鸿宏广大长永恒久昌盛兴旺隆达通亨利发财富贵荣华光辉耀煌明亮晶莹晓晨"
    "曦旭昊晖晗暄昕晟昱曜朗炜烨炎焱烁灿煜熙照然焕天日月星辰云雨雪霜露虹霞风雷春夏秋冬山峰岩石岭峻川河江湖海洋波涛浪泉"
    "溪清澄澈源泽润涵浩淼渊深沛汐潮滨沙林森松柏杨柳梅兰竹菊荷莲桃李杏桂樱枫桐楠榕槐梓椿棠芳芬芝芸芷苗茂茜茹莉莎菲萍萱"
    "蓉蕾薇蔚蓓蕊花叶苹龙凤鹏鹤燕鹰雁鸣麟骏驰骐虎豹鹿玉珠珍宝琼瑶瑜瑾璐璇琳琪琦琛璟璋珊玲珏琰瑛玮环金银铭锦钰鑫铮锐钧"
    "锋镇娟娜婷媛婕妍姝娴姗嫣妮姣婧娥媚姿红丹彤青蓝紫翠碧白素一二三四五六七八九十子小中正平军兵卫国家建立新东南西北生"
    "根全成功业斌彬杉晋彦宪帅航帆舟凡元亚伊依可若诺语言心怡悦愉欣馨慕念忆悠蕴韵音歌舞书画诗词墨翰章飞宇凯磊超坤轩宸逸"
    "奕弈煊霖皓舒晴岚澜霏珂玥琬芮蔓菁茗筱笑晏乔朵果苒柱栓锁铜铁土木水火腊胜跃进向前援朝抗设方翔翼羽腾扬展启开拓创就旋"
    "捷之以如亦尔乃丰登年民主会友朋斯彩钢绣纯真贞洪伦仲伯叔季孟卿君臣相玄宗祖彰显振维继承绍嗣荫茵蓬芃萌菡萏倩琴洁畅芹"
    "菱璨灵巧妙珺瑗珮琇珣佩佑佐俞倬僖儒冠凌冰净冽凝勋励劲勉卓卡印叙奎奇奉契姚婵嫱孜宥宜实宣容宽宾寅寒封尚尧岑岗峥崇崎"
    "崔嵩巍州帝席庚廷弘张彪征徐微忻怀恬悟惜意慎戈抒敦斐旖旗昀昂昆昶晔晞景暖曼朔杭枝柯栋栩桓梁梵椒楚榆槿樊欧歆毓沁沅沐"
    "泓洛津浦涓淇淳渝湘滢潇澍濡灏炫烽焜熠燊爽珩琨瑄瑭璞璠瓒甜田甫男皎盈睦瞻矗祎祯禹秉秦程稷穆竣童笙筠简粤纬纳练绮缘罡"
    "羚群翊耘肃胤舜艺芊芯苑苓茉荔莘菀蒙蓁蔻蕙薪藤蝶衍裕襄誉谦谨豫贝赫越轶辅迪逍遥邦郁铎镕阔阳陶雍雯霄霆霓靖韬韶颂飒骁"
    "鸥鹃鹂麒黎梦香阿令仪妹升昭曙莺驹才爱"
)
# Characters that do not end or fill a given name (they start the next word, or are medical,
# money or paperwork words): a candidate containing one is not a name.
_NOT_GIVEN = frozenset(
    "的了是在和与及跟对要想因已于为等也都又还就被把给让向从到去有无没不请打问咨询反投致电话手机号码证件份邮"
    "箱址住办申查昨前后岁个们这那哪谁吗呢吧啊着过得之其所以而但或说称来告知核实需求示确认回访陪收寄退保险"
    "费款额元单卡账户位次再先经病症药医院诊科室楼区市省路街县镇村血压糖脂癌肿瘤疗护士姐哥总任士师傅理"
    "务员属患者司局厅处站队组团购买缴付支扣款额价格期限失败今龄我你他她它您咱"
)
# The given part of a candidate: a name character that does not start the next word.
GIVEN = _GIVEN = NAME_CHARS - _NOT_GIVEN
# After these introducers (客户高烧, 是单位, 给公婆) words are as likely as names: a name there must
# be followed by a word that usually follows a name, not just by any character.
WEAK_INTRODUCERS = frozenset(("客户", "是", "给", "帮", "替", "找", "代", "联系", "用户", "回访", "通知", "提醒",
                              "拨打", "致电", "回电", "委托", "授权", "本人", "签收", "成员",
                              "转告", "坐席", "客服", "市民", "患者", "病人", "为", "谢谢", "感谢"))
_MARK_CHARS = frozenset("的在和与及跟对于已因想要也都又还就被把给让从到去没不请说称代为是、")
_MARK_WORDS = ("来电", "来访", "致电", "咨询", "反映", "表示", "要求", "询问", "投诉", "投保", "申请", "办理", "陪同",
               "本人", "今天", "昨天", "明天", "今年", "去年", "一起", "两人", "夫妻", "母子", "父子", "母女", "父女")
# Words that begin with a surname character and are not names.
NOT_NAMES = frozenset((
    "周一", "周二", "周三", "周四", "周五", "周六", "周日", "周末", "周年", "周岁", "周边", "周期", "明天", "明年", "明早",
    "明晚", "明日", "明白", "明细", "明确", "明显", "时间", "时候", "时效", "马上", "万一", "万元", "万块", "高龄",
    "高血压", "高血脂", "高血糖", "高温", "高中", "高考", "高兴", "高端", "黄金", "黄山", "白天", "白班", "方便", "方面",
    "方式", "方案", "方法", "金额", "钱款", "余额", "费用", "文件", "文字", "江南", "江苏", "江阴", "常州", "常规", "常年",
    "常用", "常见", "常熟", "程序", "安全", "安排", "安心", "全家", "全部", "全额", "全年", "全国", "任何", "任意", "关于",
    "关系", "于是", "包括", "包裹", "石膏", "齐全", "成功", "成人", "成年", "华为", "向来", "童年", "路上", "温州", "钟点",
    "孙子", "孙女", "宁可", "花费", "王府井", "苏州", "杭州", "南京", "南通", "南方", "郑州", "房子", "房屋", "房贷", "车险",
    "车辆", "车祸", "车费", "严重", "严格", "毛病", "林业", "石头", "田地", "连续", "连带", "易于", "管理", "司机", "司法",
    "解释", "解决", "应该", "应当", "计划", "计算", "许多", "许可", "平时", "平安", "平台", "平均", "平常", "申请", "申报",
    "申诉", "党员", "单位", "单独", "单据", "曾经", "尚未", "左右", "从前", "和平", "季度", "卫生", "冷静", "凌晨", "祝福",
    "吉利", "利息", "利率", "容易", "项目", "尤其", "康复", "商量", "商业", "农村", "简单", "麻烦", "麻醉", "封顶", "原因",
    "原来", "原价", "楼层", "满意", "满足", "海外", "权益", "权限", "强制", "盖章", "支付", "支持", "支行", "国家", "国内",
    "国外", "国庆", "索赔", "宣传", "相关", "门诊", "普通", "普惠", "修改", "银行", "公司", "公众号", "公积金", "居民",
    "居住", "信息", "幸福", "由于", "邓小平", "龙头", "段时间", "云端", "和解", "查询", "甘肃", "吉林", "怀孕", "怀疑",
    "巴士", "丰富", "东西", "东方红", "欧元", "阳性", "阳光", "古代", "伊利", "应急", "边境", "宗教", "桂林", "师傅", "柏油",
    "本人", "同上", "不详", "未知", "待定", "苗苗", "雷雨", "焦虑", "游泳", "辛苦", "管家", "戴口罩", "郁闷", "劳动", "皮肤",
    "厉害", "谷歌", "池塘", "迟到", "乐意", "印象", "印章", "危险", "战争", "宿舍", "鲜花", "汤药", "史上", "姜汤", "景区",
    "牛奶", "胡说", "黎明", "夏天", "秋天", "冬天", "春天", "春节", "元旦", "元宵", "双方", "双胞胎", "宫颈", "窦性", "晋升",
    "蒙古", "闻讯", "谈话", "谈谈", "谢谢", "祖父", "祖母", "孟子", "孔子", "贺卡", "莫名", "温馨", "包头", "程度", "杨梅",
    "杨柳", "杜绝", "陆续", "苏醒", "钱包", "钟表", "章程", "家庭", "家里", "家人", "年龄", "年纪", "年底", "年初",
    "查一下", "查看", "查到", "查不到", "汪洋", "庞大", "拼音", "微信", "企业", "写成", "写的", "处方", "单子",
    "读音", "字母", "公民", "声明", "农民", "国联", "医惠", "惠锡", "锡城", "签名", "签字", "本名", "全名", "实名", "小名", "名单", "单据", "公众号", "小程序", "电话", "小结",
))
_NICK_STOP = frozenset(("小时", "小区", "小于", "老师", "老年", "老家", "小家", "老公", "小康", "老乡", "小童",
                        "老钱", "小金", "老宋", "小车", "小程序", "老于", "小米", "老花", "老毛", "小白", "小包",
                        "老成", "小成", "老和", "老向", "小平", "老平", "小安", "老安", "老是", "老都", "老伯",
                        "老太", "老爷", "老头", "老伴", "老弟", "老哥", "老姐", "老妹", "老兄", "小伙", "小妹",
                        "小弟", "老板", "老人", "老百"))
# Verbs after which a clause-initial surname + given name is taken for a person.
_VERBS = ("来电", "致电", "反映", "投诉", "咨询", "称", "表示", "要求", "询问", "留言", "来访", "申请",
          "为投保", "为被保", "是投保", "是被保", "为联系", "为受益", "为监护")
_LEFT = frozenset("的是和与及给找问请向跟对让叫称代位由为被把同帮有因说讲@栋幢室部、，,。；;：:（(【[“\"' \t\n")
# After a name, a number or a time word is the note's fact (潘阿妹八十二岁, 孙浩然三个人, 陈丽华明天),
# not one more given-name character.
_NUMERALS = frozenset("一二三四五六七八九十百千两零〇")
_CLASSIFIERS = frozenset("个位名人口岁次天年月日号点周")
_TIME_WORDS = ("今天", "明天", "昨天", "后天", "前天", "今早", "明早", "今晚", "明晚", "昨晚", "今年", "明年", "去年",
               "今日", "明日", "昨日", "上午", "下午", "中午", "晚上", "早上", "傍晚", "凌晨")
# Characters that make a word with the name-like word before them (高峰期, 江山市, 中山路): a known
# name followed by one is that word, not the person, unless a word starts there (路过, 期待).
_WORD_SUFFIXES = frozenset("期市县区省州镇乡村路街")
_NOT_SUFFIX_WORDS = ("路过", "期待", "期望", "期盼", "市场")
_CLAUSE = frozenset("，,。；;：:！!？?、（(）)【】[]“”\"' \t\n→|-")


_CUE_SET = frozenset(CUES)
_CUE_WORDS = tuple(CUES)
_CUE_HEADS = frozenset(c[0] for c in CUES)
# cues and verbs in one scan (a plain alternation of words: the engine skips to their first characters)
_CUE_OR_VERB_RE = re.compile(alternation(set(CUES) | set(_VERBS)))
_SURNAME_HEADS = "".join(sorted(SURNAMES | {c[0] for c in COMPOUND_SURNAMES}))


# An introducer, then a Chinese character (a plain alternation of words first: the engine skips
# to their first characters).
_ALL_INTRODUCERS = set(INTRODUCERS) | STRONG_INTRODUCERS | set(ROLES) | set(KIN)
# One capture group around one trie (the engine skips to the introducers' first characters).
_INTRO_RE = re.compile(f"({alternation(_ALL_INTRODUCERS)})(?:是|为)?[：:]?[ ]?(?=[\u4e00-\u9fff])")
# One-character introducers (的, 是, 给…) are everywhere: they count only before a surname.
_ONE_CHAR_INTRODUCERS = frozenset(w for w in _ALL_INTRODUCERS if len(w) == 1 and w not in STRONG_INTRODUCERS)
_SURNAME_HEAD_SET = frozenset(_SURNAME_HEADS)
_VERB_RE = re.compile(alternation(_VERBS))
_NICK_RE = re.compile(f"[老小](?=[{_SURNAME_HEADS}])")
# 阿英, 阿娟 (阿 + a given-name character), 小芳同学 (小 + a given-name character + a title)
_PET_RE = re.compile("[阿小](?=[\u4e00-\u9fff])")
_NOT_PET = frozenset(("阿姨", "阿婆", "阿公", "阿伯", "阿里", "阿胶", "阿拉", "阿斯", "阿司", "阿莫", "阿奇", "阿托",
                      "阿哥", "阿妹", "阿弟", "阿爸", "阿妈", "小心", "小孩", "小时", "小学", "小康", "小组", "小计",
                      "小额", "小程", "小区", "小米", "小红", "小雨", "小便", "小朋", "小伙", "小金", "小于", "小号"))
_FAMILY_OF_RE = re.compile(f"[{_SURNAME_HEADS}](?=家(?:儿子|女儿|孩子|老人|媳妇|老太|老头|闺女|小孩|大人|老爷子))")
_DOUBLED_RE = re.compile("([\u4e00-\u9fff])\\1")
_CHILD_PARENT_RE = re.compile("(([\u4e00-\u9fff])\\2)(?:妈妈|爸爸|妈|爸|奶奶|爷爷|外婆|外公)")
# A name in quotes: 写成"石蕾"了.
_QUOTED = re.compile("[“\"「『]([\u4e00-\u9fff]{2,4})[”\"」』]")
# Whatever is quoted after a nickname's label is what people call them (昵称"阳光宝贝").
_NICKNAME_QUOTED = re.compile("(?:昵称|网名|微信名|备注名|外号|小名|群昵称)(?:是|为|叫)?[：:]?[ ]?[“\"「『]([^”\"」』\n]{1,12})[”\"」』]")
# A Chinese name alone in brackets, after a Latin name or a nickname: Amy（于爱梅）, 小宝（郑子轩）.
_BRACKETED_AFTER_LATIN = re.compile("(?<=[A-Za-z])[ ]?[（(]([\u4e00-\u9fff]{2,4})[）)]")
_BRACKETED_FULL = re.compile("[（(]([\u4e00-\u9fff]{3,4})[）)]")
_INTRO_ENDS = tuple(sorted(set(INTRODUCERS) | STRONG_INTRODUCERS | set(ROLES) | set(KIN)))
_ROLE_SET, _KIN_SET = frozenset(ROLES), frozenset(KIN)
_INTRO_WORDS = tuple(w for w in _INTRO_ENDS if len(w) > 1)


_TIME_HEADS = frozenset(w[0] for w in _TIME_WORDS)


def _fact_at(text: str, p: int) -> bool:
    """A number or a time word starts at ``p`` (right after a known name: not part of it)."""
    return p < len(text) and (text[p] in _NUMERALS or text[p] in _TIME_HEADS and text.startswith(_TIME_WORDS, p))


def _quantity_or_time_at(text: str, p: int) -> bool:
    """A time word or a number with its unit starts at ``p`` (王小二 is a name, 张伟三个人 is not)."""
    if p < len(text) and text[p] in _TIME_HEADS and text.startswith(_TIME_WORDS, p):
        return True
    return p + 1 < len(text) and text[p] in _NUMERALS and (
        text[p + 1] in _NUMERALS or text[p + 1] in _CLASSIFIERS)


def _surname_at(text: str, p: int) -> int:
    """Length of the surname starting at ``p`` (2 compound, 1 single, 0 none)."""
    if text[p:p + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if text[p:p + 1] in SURNAMES else 0


def _given_ok(given: str) -> bool:
    return all(c in _GIVEN for c in given)


def _cue_at(text: str, p: int) -> bool:
    return p < len(text) and text[p] in _CUE_HEADS and text.startswith(_CUE_WORDS, p)


def _not_a_name(text: str, start: int, end: int) -> bool:
    """The candidate ``text[start:end]`` is, or begins, a word that is not a name."""
    return (text[start:end] in PLACE_STEMS or text[start:start + 2] in NOT_NAMES
            or text[start:start + 3] in NOT_NAMES or text[start:start + 4] in NOT_NAMES)


STRICT, NORMAL, WEAK, FREE = 1, 0, 2, 3  # how a name must end: punctuation / a following word / a marker /
# anything after a full name (a role or a kinship word vouches for it: 主管任国栋调查)


# Field labels that may follow a value directly in copied or OCR'd forms (姓名包振华性别男).
LABEL_WORDS = ("性别", "年龄", "民族", "出生", "住址", "地址", "公民", "身份", "电话", "手机", "关系", "职业", "籍贯",
               "科室", "床号", "住院号", "门诊号", "与户主", "联系", "证件", "医保", "社保", "市民卡", "银行", "微信",
               "邮箱", "就诊", "护照")


_LABEL_HEADS = frozenset(w[0] for w in LABEL_WORDS)


def _right_ok(text: str, end: int, mode: int = NORMAL) -> bool:
    if end >= len(text):
        return True
    c = text[end]
    if mode == FREE or not "\u4e00" <= c <= "\u9fff" or c in _LABEL_HEADS and text.startswith(LABEL_WORDS, end):
        return True
    if mode == NORMAL:
        return c in _FOLLOW or _cue_at(text, end)
    if mode == WEAK:
        return c in _MARK_CHARS or text.startswith(_MARK_WORDS, end) or _cue_at(text, end)
    return False


def _left_ok(text: str, start: int) -> bool:
    if start == 0:
        return True
    c = text[start - 1]
    return not han(c) or c in _LEFT or text.endswith(_INTRO_ENDS, 0, start)


# A surname at a clause start followed by a given-name character (the rest is checked in code).
_CLAUSE_START_RE = re.compile(f"[{_SURNAME_HEADS}](?<![^{re.escape(''.join(_CLAUSE))}].)"
                              f"(?=[{''.join(sorted(NAME_CHARS | {c[1] for c in COMPOUND_SURNAMES}))}])")


# The characters most given names are made of: a surname and two of them between word
# boundaries is taken for a name without any cue (…，转给林晓峰处理).
COMMON_GIVEN = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红梅鹏飞斌宇浩凯健俊帆帅旭宁琳婷雪倩颖佳欣怡晨阳昊"
    "然梓涵轩博文思雨诗琪慧燕玲莲凤洁琴蓉晶瑶璐妍悦晓建志海林波辉宏峰亮龙春荣兵胜贵珍翠菊丹彤萱雯嘉睿泽宸瑞"
    "航婉淑蕾薇莹茜蓓馨韵铭鑫坤锋毅彬滨振鸿翔耀琦瑾瑜珊霖皓逸东"
)
_FREE_RE = re.compile(f"[{_SURNAME_HEADS}](?=[{''.join(sorted(COMMON_GIVEN))}]{{2}})")


def _free_names(text: str) -> list[_S]:
    out: list[_S] = []
    for m in _FREE_RE.finditer(text):
        p = m.start()
        if _surname_at(text, p) != 1 or text[p] in _NOT_FREE_SURNAMES:
            continue
        e = p + 3
        if _not_a_name(text, p, e) or _cue_at(text, p + 1) or _quantity_or_time_at(text, p + 2) \
                or text.startswith(ESTATE_ENDS, e) or not _right_ok(text, e):
            continue
        out.append((p, e, "NAME"))
    return out


_TIME_BEFORE = frozenset(("上周", "下周", "本周", "这周", "每周", "一周", "两周", "几周"))
# Surname characters that end ordinary words before a title (班主任, 公司经理, 平安经理): no
# surname alone there without a clean boundary.
_WORD_FINAL = frozenset("班家司商安平全文明高方金于时和成常向江海林石田花云山水车万元双东南西北上年月日新华中国"
                        "支行公区部科院所局厂店团组队房寿查任")
# What follows a title when it names a place, not a person (律师事务所, 护士站, 客服中心).
_TITLE_PLACE_AFTER = ("事务所", "中心", "站", "部", "室", "组", "办", "处", "科", "台", "团队")
# Surname characters that mostly start ordinary words: no name without a cue after them.
_NOT_FREE_SURNAMES = frozenset("高方马金明安全文于时和成平常向江海林石田花云山水车万元双东南西北上"
                               "年月日新华中国家")


# A department, a space and a surname standing alone: how staff sign off (——运营部 樊).
_DEPT_SURNAME_RE = re.compile(f"(?:部|组|科|处|室|中心) ([{''.join(sorted(SURNAMES))}])(?=\\s|$)")
# A log line: a time, maybe a shift word, then a surname standing alone.
_AFTER_TIME_RE = re.compile(
    f"[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})? (?:一线|二线|三线|转|班长|组长|坐席)?"
    f"({alternation(COMPOUND_SURNAMES)}|[{''.join(sorted(SURNAMES))}])(?=[（(：: →]|已|回|接|结)")


def _clause_start_names(text: str) -> list[_S]:
    """A full name opening a line or a clause (傅秀珍是…, 【转交】谢敏 → 濮阳晓峰, 4）严沐可 女儿):
    a surname and two given characters before a word that follows names, or a common surname
    and one given character standing alone (康宁 护照)."""
    out: list[_S] = []
    n = len(text)
    for m in _CLAUSE_START_RE.finditer(text):
        p = m.start()
        slen = _surname_at(text, p)
        if not slen or p + 1 >= n:
            continue
        s = p + slen
        if s + 2 <= n and _given_ok(text[s:s + 2]) and not _cue_at(text, s + 1) \
                and not _quantity_or_time_at(text, s + 1) and not _not_a_name(text, p, s + 2) \
                and (_right_ok(text, s + 2) or text.startswith(("是", "的"), s + 2)):
            out.append((p, s + 2, "NAME"))
        elif s + 1 <= n and _given_ok(text[s:s + 1]) and (
                slen == 2 or text[p] in COMMON_SURNAMES or p == 0 or text[p - 1] == "\n") \
                and (s + 1 == n or text[s + 1] in " \t\n，,（(→|") and not _not_a_name(text, p, s + 1):
            out.append((p, s + 1, "NAME"))
    return out


_SURNAMED = ("男子", "女子", "男士", "女士", "客户", "老人", "患者", "业务员", "员工", "同事", "人", "先生", "小伙")


def _surname_mention(text: str) -> list[_S]:
    """我姓眭, 只说了姓庞, 复姓诸葛: the surname after 姓 (any character: rare ones too); and
    the surname before it in 吕姓男子, 一位王姓客户."""
    out: list[_S] = []
    p = text.find("姓")
    while p != -1:
        if p and text[p - 1] in SURNAMES and (text.startswith(_SURNAMED, p + 1) or (
                p + 1 < len(text) and text[p + 1] in "）)")) and (
                p == 1 or not han(text[p - 2]) or text[p - 2] in "的位名个一该这那"):
            out.append((p - 1, p, "NAME"))  # 王姓客户, （褚姓）
        q = p + 1
        if q < len(text) and han(text[q]) and text[q] not in "名氏啥什么哪的是和也都不读写叫错对" and (
                p == 0 or text[p - 1] not in "百同贵"):
            e = q + (2 if text[q:q + 2] in COMPOUND_SURNAMES else 1)
            if e == len(text) or not han(text[e]) or text[e] in _ALONE_NEXT or text[e] in "，的啊呀哈吧呢吗":
                out.append((q, e, "NAME"))
        p = text.find("姓", p + 1)
    return out


def _name_after(text: str, p: int, mode: int = NORMAL) -> int:
    """End of a surname + 1-2 given characters starting at ``p`` and ending at a boundary, or 0."""
    e = _name_after_any(text, p, mode)
    return 0 if e and text.startswith(ESTATE_ENDS, e) else e  # 女儿家春潮花园: an estate, not 家春潮


# What a place's name ends in: a name right before one of these is the place's (春潮花园).
ESTATE_ENDS = ("花园", "小区", "新村", "家园", "公寓", "苑", "山庄", "公馆", "大厦", "广场", "村", "镇", "街道", "路")


def _name_after_any(text: str, p: int, mode: int = NORMAL) -> int:
    n = len(text)
    for slen in (2, 1):
        if slen == 2:
            if text[p:p + 2] not in COMPOUND_SURNAMES:
                continue
        elif text[p:p + 1] not in SURNAMES:
            continue
        s = p + slen
        if s >= n or _cue_at(text, s):
            return 0  # surname + cue: the cue rule's
        if text[s] not in _GIVEN:
            continue
        if s + 1 < n and text[s + 1] in _GIVEN and not _cue_at(text, s + 1) \
                and not _quantity_or_time_at(text, s + 1) \
                and not _not_a_name(text, p, s + 2) and _right_ok(text, s + 2, NORMAL if mode == STRICT else FREE if mode == WEAK
                                                       else mode):
            return s + 2  # two given characters
        if not _not_a_name(text, p, s + 1) and (
                mode == FREE and (text[p] in COMMON_SURNAMES and slen == 1 or slen == 2)
                and not _quantity_or_time_at(text, s + 1)
                or _right_ok(text, s + 1, NORMAL if mode == FREE else mode)):
            return s + 1
    return 0


def _name_before(text: str, end: int, cue: str) -> int:
    """Start of a name ending at ``end`` (where ``cue`` begins), or -1."""
    fallback = -1
    for slen, g in ((2, 2), (2, 1), (2, 0), (1, 2), (1, 1), (1, 0)):
        st = end - g - slen
        if st < 0:
            continue
        sn = text[st:st + slen]
        if sn not in (COMPOUND_SURNAMES if slen == 2 else SURNAMES):
            continue
        if g and (not _given_ok(text[st + slen:end]) or _not_a_name(text, st, end)):
            continue
        if g == 0 and slen == 1 and cue not in _COURTESY and sn in _WORD_FINAL and not (
                st == 0 or text[st - 1] in _CLAUSE or text[st - 1] in "是叫找问请向跟对让给说讲"
                or text.endswith(_INTRO_WORDS, 0, st)):
            continue  # 班主任, 值班医生: a rare surname alone before a title is a word (】丰同学 is not)
        if _left_ok(text, st):
            return st
        if fallback < 0 and text[max(0, st - 1):st + 1] not in _TIME_BEFORE \
                and not text.startswith(_TITLE_PLACE_AFTER, end + len(cue)) and (g == 2 or slen == 2 or g == 0 and (
                sn not in _WORD_FINAL and (sn in COMMON_SURNAMES and (cue in _SOFT_CUES or cue in ("姐", "哥", "总"))
                                           or len(cue) > 1))):
            fallback = st  # 台商林志豪先生, 血液科欧阳教授, 那个姜经理, 对了惠老师: the title vouches
    if fallback < 0 and cue in _COURTESY and end >= 1:
        # a surname outside the dictionary, standing alone before the cue: ，原女士要求…
        c = text[end - 1]
        if han(c) and c not in _NOT_SURNAME_BEFORE_CUE and c not in _NOT_GIVEN and _left_ok(text, end - 1):
            return end - 1
    return fallback


def _lone_surname(text: str, p: int) -> int:
    """A surname alone before the end of a clause (找蔺；, 自称霍，, 审核：令狐): after any
    introducer, unless the surname character mostly ends or starts words."""
    slen = _surname_at(text, p)
    e = p + slen
    if not slen or text[p] in _WORD_FINAL or text[p] in _NOT_FREE_SURNAMES or text[p] in "哈呀啊吧呢嘛啦哦嗯付钱单":
        return 0
    return e if e == len(text) or text[e] in "；;，,。）)（(、 \t\n|" else 0


def _surname_alone(text: str, p: int) -> int:
    """After a role: a surname standing alone (受理人：庞（坐席…, 组长邹已致歉), or 0."""
    slen = _surname_at(text, p)
    if not slen or text[p] in "于向和跟与及对把被让给在从时中后前都哈呀啊吧呢嘛啦哦嗯":
        return 0  # 值班人员于09:00: a preposition
    e = p + slen
    if e == len(text) or not han(text[e]) or text[e] in _ALONE_NEXT or _cue_at(text, e):
        return e if not _not_a_name(text, p, e + 1) else 0
    return 0


_PREPOSITIONS = frozenset("向和跟给找对问与及把被让叫")
_ALONE_NEXT = frozenset("已说在和与及跟对转的是也都称表确认要让把给告反回电上留录处负联协核审接打发送去来做帮答")


def _given_alone(text: str, p: int) -> int:
    """After a kinship word: a given name alone, two name characters (女儿晨晨, 我姐金凤住在…), or 0."""
    if p + 2 > len(text) or not _given_ok(text[p:p + 2]) or text[p:p + 2] in NOT_NAMES:
        return 0
    if text[p] == text[p + 1] and text[p:p + 2] not in _NOT_DOUBLED:
        return p + 2 if _right_ok(text, p + 2) or (p + 2 < len(text) and han(text[p + 2])) else 0
    return p + 2 if _right_ok(text, p + 2, WEAK) and not _quantity_or_time_at(text, p) else 0


_NOT_DOUBLED = frozenset(("常常", "刚刚", "慢慢", "天天", "明明", "好好", "渐渐", "默默", "星星", "年年", "月月",
                          "人人", "家家", "时时", "处处", "多多", "一一", "三三", "五五", "静静", "高高", "大大",
                          "小小", "早早", "平平", "轻轻", "久久", "远远", "深深", "长长", "满满", "乐乐呵", "安安静",
                          "清清", "白白", "红红", "生生", "世世", "代代", "方方", "正正", "真真", "永永", "远远",
                          "匆匆", "冲冲", "洋洋", "源源", "滔滔", "浩浩荡", "朗朗", "亮亮堂", "啦啦", "哈哈", "嘻嘻",
                          "谢谢", "妈妈", "爸爸", "哥哥", "姐姐", "弟弟", "妹妹", "宝宝", "奶奶", "爷爷", "叔叔",
                          "太太", "婆婆", "公公", "伯伯", "舅舅", "姑姑", "娘娘", "嫂嫂", "看看", "想想", "试试",
                          "问问", "等等", "说说", "走走", "聊聊", "查查", "算算", "听听", "找找", "写写", "呵呵",
                          "嘿嘿", "嗯嗯", "哦哦", "对对", "是是", "快快", "渐渐", "稍稍", "纷纷", "往往", "偏偏",
                          "仅仅", "统统", "悄悄", "点点", "个个", "条条", "步步", "层层", "片片", "样样", "天天",
                          "日日", "夜夜", "事事", "次次", "回回", "位位", "张张", "本本", "件件", "块块", "分分",
                          "秒秒", "叨叨", "嘀嘀", "哗哗", "刷刷", "咚咚", "嗡嗡", "滴滴", "拜拜", "宝宝", "亲亲"))


def _strong_name(text: str, p: int, field: bool = False) -> int:
    """After 姓名：/联系人/我叫…: two to four characters up to a punctuation mark, or 0.
    ``field``: the label is a form's (姓名:), so any character but a function word may
    be a given name's (张雅筑)."""
    e = p
    while e < len(text) and e - p < 5 and han(text[e]):
        if e - p >= 2 and (_cue_at(text, e) or text.startswith(LABEL_WORDS, e)):
            break  # 姚想琴女士, 包振华性别男
        e += 1
    if not 2 <= e - p <= 4 or (e < len(text) and han(text[e]) and not text.startswith(LABEL_WORDS, e)):
        return 0
    if field and (text[p:e] in _KIN_SET or text[p:e] in _ROLE_SET or text[e - 1] in "部科处组室司局所"):
        return 0  # 联系人：太太 黄淑芬, 经办人：人事部 缪晓红
    given_ok = all(c not in _NOT_GIVEN for c in text[p + 1:e]) if field else _given_ok(text[p + 1:e])
    if text[p] in _NOT_SURNAME_BEFORE_CUE or not given_ok or _not_a_name(text, p, e) \
            or text[p] in _NOT_GIVEN and text[p] not in SURNAMES:
        return 0
    return e


_WORDS = NOT_NAMES | REGION_NAMES | PLACE_STEMS
_WORD_MAX = max(map(len, _WORDS))
_WORD_PARTS = frozenset(w[a:b] for w in _WORDS for a in range(len(w)) for b in range(a + 2, len(w) + 1)
                        if b - a < len(w))


def _inside_word(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is part of a longer word there (江山 in 江山县, 王府 in 王府井)."""
    if text[start:end] not in _WORD_PARTS:
        return False
    size = end - start
    for a in range(max(0, end - _WORD_MAX), start + 1):
        for b in range(max(end, a + size + 1), min(len(text), a + _WORD_MAX) + 1):
            if text[a:b] in _WORDS:
                return True
    return False


def _stands_as_name(text: str, start: int, end: int) -> bool:
    """A name matched exactly at ``start:end`` is a name there, not part of a word (高峰期, 江山市)."""
    if end < len(text) and text[end] in _WORD_SUFFIXES and not text.startswith(_NOT_SUFFIX_WORDS, end):
        return False
    return not _inside_word(text, start, end)


def _known_names(text: str, known: list[str]) -> list[_S]:
    """Every place a known name stands as a name (客户高峰来电, not 高峰期)."""
    spans: list[_S] = []
    for name in known:
        start = text.find(name)
        while start != -1:
            if _stands_as_name(text, start, start + len(name)):
                spans.append((start, start + len(name), "NAME"))
            start = text.find(name, start + len(name))
    return spans


def _clipped(text: str, detected: list[_S], exact: list[_S]) -> list[_S]:
    """Detected names cut back where a name matched exactly ends and a number or a time word
    follows: the detectors do not swallow the note's facts into a known or platform name
    (孙浩然 + 三个人: the given-name list holds 三).  Otherwise the longer span stands
    (王芳 known, 王芳芳 written): a character of someone's name left visible is the worse error."""
    if not exact:
        return detected
    out = []
    for s, e, kind in detected:
        for _, xe, _ in exact:
            if s < xe < e and _fact_at(text, xe):
                e = xe
        out.append((s, e, kind))
    return out


def _names(text: str) -> list[_S]:
    """Names the detectors find (cues, verbs, introducers, 老王/小李)."""
    spans: list[_S] = []
    add = spans.append
    for m in _CUE_OR_VERB_RE.finditer(text):
        word, cs, ce = m.group(), m.start(), m.end()
        if word in _CUE_SET:
            if word == "先生" and ce < len(text) and text[ce] in "效成活产存日":
                continue  # 保单先生效: 先 + 生效
            st = _name_before(text, cs, word)
            if st < 0:
                continue
            if word == "老" and text[ce:ce + 1] in "妈爸公婆伴家师板乡年人头大二三总百":
                continue  # 查老妈, 的老伴: not 查老, 的老
            if word == "某":
                add((st, ce, "NAME"))  # 蒋某驾驶: whatever follows
                continue
            if len(word) == 1 and not (_right_ok(text, ce) and (
                    cs - st == 1 and text[st] not in _WORD_FINAL and (st == 0 or not han(text[st - 1])))) \
                    and not (_right_ok(text, ce) and (_left_ok(text, st) and (
                    text[st] in COMMON_SURNAMES or cs - st > 1 or text.endswith(_INTRO_ENDS, 0, st)
                    or text.startswith(("：", ":"), ce) or word == "老" and text[st] not in _WORD_FINAL)
                    or cs - st == 1 and text[st] not in _WORD_FINAL and word in "姐哥总" and not han(text[ce:ce + 1] or "。"))):
                continue  # 总 姐 哥: only 王总, 李姐, 陆桂香姐 standing alone
            # surname alone: the cue is part of the mention; full name: the cue stays
            only_surname = cs - st <= max(1, _surname_at(text, st))
            if only_surname and text[st] in _PREPOSITIONS:
                continue  # 向客服投诉, 跟老师说: a preposition, not 向/跟 the surname
            add((st, ce if only_surname else cs, "NAME"))
            continue
        # a verb: surname + one or two given characters at the start of a clause before it
        for g in (2, 1):
            for slen in (2, 1):
                st = cs - g - slen
                if st < 0 or st and text[st - 1] not in _CLAUSE or _surname_at(text, st) != slen \
                        or not _given_ok(text[st + slen:cs]):
                    continue
                if not _not_a_name(text, st, cs):
                    add((st, cs, "NAME"))
                    break
            else:
                continue
            break
    for m in _INTRO_RE.finditer(text):
        # after 的 only a clean stop; after the others a following word too
        p, word = m.end(), m.group(1)
        if word in _ONE_CHAR_INTRODUCERS and text[p] not in _SURNAME_HEAD_SET:
            continue
        mode = (FREE if word in _ROLE_SET or word in _KIN_SET or "：" in m.group() or ":" in m.group()
                else STRICT if word == "的" else WEAK if word in WEAK_INTRODUCERS else NORMAL)
        field = word in STRONG_INTRODUCERS and ("：" in m.group() or ":" in m.group())
        e = field and _strong_name(text, p, field=True) or _surname_at(text, p) and _name_after(text, p, mode)
        if not e and word in STRONG_INTRODUCERS:
            e = _strong_name(text, p)
        if not e and word in _ROLE_SET:
            e = _surname_alone(text, p) or (text[p] in SURNAMES and _strong_name(text, p))
        if not e and word in _KIN_SET:
            e = _given_alone(text, p) or _surname_alone(text, p)
        if not e and (len(word) > 1 or field):
            e = _lone_surname(text, p)
        if e:
            add((p, e, "NAME"))
    if "姓" in text:
        spans += _surname_mention(text)
    for m in _PET_RE.finditer(text):
        st, p = m.start(), m.end()
        if text[st:p + 1] in _NOT_PET or text[p] not in _GIVEN or _surname_at(text, p) and text[st] == "小":
            continue
        e = p + 1
        if _cue_at(text, e) and text[st] == "小" or text[st] == "阿" and _left_ok(text, st) and (
                e == len(text) or not han(text[e]) or _cue_at(text, e)):
            add((st, e, "NAME"))
    for m in _FAMILY_OF_RE.finditer(text):
        if _left_ok(text, m.start()) or m.start() and text[m.start() - 1] in "是的隔壁":
            add((m.start(), m.start() + 1, "NAME"))  # 吕家儿子: the family's surname
    for m in _DOUBLED_RE.finditer(text):
        st = m.start()
        if m.group() not in _NOT_DOUBLED and m.group()[0] not in _NUMERALS and m.group()[0] not in _NOT_GIVEN and (
                st == 0 or text[st - 1] in _LEFT or text[st - 1] in "说让叫陪带替给她他名家") and _right_ok(text, st + 2):
            add((st, st + 2, "NAME"))  # 卜女士说涵涵下周…
    for m in _CHILD_PARENT_RE.finditer(text):
        if m.group(1)[0] in _GIVEN and m.group(1) not in _NOT_DOUBLED:
            add((m.start(1), m.end(1), "NAME"))  # 芳芳妈妈, 可可妈: the child's name
    for rx in (_QUOTED, _BRACKETED_AFTER_LATIN, _BRACKETED_FULL):
        for m in rx.finditer(text):
            a, b = m.span(1)
            slen = _surname_at(text, a)
            if slen and _given_ok(text[a + slen:b]) and not _not_a_name(text, a, b):
                add((a, b, "NAME"))
    for m in _NICKNAME_QUOTED.finditer(text):
        add((m.start(1), m.end(1), "NAME"))
    spans += _clause_start_names(text)
    for m in _DEPT_SURNAME_RE.finditer(text):
        add((m.start(1), m.end(1), "NAME"))  # ——运营部 樊, 经办：理赔部 戚
    if ":" in text:
        for m in _AFTER_TIME_RE.finditer(text):
            add((m.start(1), m.end(1), "NAME"))  # 09:15 昝（一线）接, 14:02 一线靳：
    spans += _free_names(text)
    for m in _NICK_RE.finditer(text):
        # 老王, 小李: a common surname before a following word, any surname before a verb
        st, p = m.start(), m.end()
        slen = _surname_at(text, p)
        if not slen or text[st:p + slen] in _NICK_STOP or not (
                _left_ok(text, st) or _cue_at(text, p + slen) or st and text[st - 1] in "家们个位"):
            continue
        e = p + slen
        if _cue_at(text, e) or text.startswith("家", e):
            add((st, e, "NAME"))  # 小吴客服, 老蒋家
            continue
        if _VERB_RE.match(text, e) or (e == len(text) or text[e] in _FOLLOW
                                       or not han(text[e]) and text[e] not in "0123456789"):
            add((st, e, "NAME"))  # 老王, 客服小芮
    return spans


def _listed_names(text: str, spans: list[_S]) -> list[_S]:
    """Names listed after a name: 张三、李四和王五."""
    n = len(text) - 1
    todo = [s[1] for s in spans if s[1] < n and text[s[1]] in "、和与及跟,，/ "]
    if not todo:
        return []
    out: list[_S] = []
    seen = set()
    while todo:
        e = todo.pop()
        if e in seen or e >= len(text) - 1 or text[e] not in "、和与及跟,，/ ":
            continue
        seen.add(e)
        p = e + 1
        if _surname_at(text, p):
            end = _name_after(text, p, STRICT if text[e] in " ,，/" else NORMAL) or (
                text[e] == "、" and _lone_surname(text, p))
            if end:
                out.append((p, end, "NAME"))
                todo.append(end)
    return out


_LISTED_BEFORE_PHONE = re.compile(
    f"(?:^|(?<=[ \t\n]))([{_SURNAME_HEADS}]|[老小阿][\u4e00-\u9fff]|[A-Z][a-z]{{1,10}})$", re.MULTILINE)


def _clause_names(text: str, spans: list[_S]) -> list[_S]:
    """A surname + given name at the start of a clause right before a phone or ID number; in a
    list, a surname or a nickname alone between spaces before a phone (5-1101 冯 135…, 老翁 159…)."""
    out = []
    for start, _, kind in spans:
        if kind != "MOBILE" and kind != "ID":
            continue
        end = start - 1 if start and text[start - 1] in " （(" else start
        if end < start:
            m = _LISTED_BEFORE_PHONE.search(text, max(0, end - 12), end)
            if m and m.end() == end:
                out.append((m.start(1), end, "NAME"))
                continue
        for length in (4, 3, 2):
            st = end - length
            if st < 0 or not (st == 0 or text[st - 1] in _CLAUSE):
                continue
            slen = _surname_at(text, st)
            if slen and 1 <= length - slen <= 2 and _given_ok(text[st + slen:end]) \
                    and not _not_a_name(text, st, end):
                out.append((st, end, "NAME"))
                break
    return out

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _lexicon_names(text: str, lexicon: Collection[str], known: list[_S]) -> list[_S]:
    """The 2-4 character windows of Han runs that are names the platform holds, standing as names.

    Leftmost-longest, and none starting inside a name already found (陈丽华明天 holds
    华明: not a second name).  A two-character hit that is the start of a longer name
    (杨柳 in 杨柳欢, followed by a given-name character and then a word boundary) takes
    that character too, but not a number or a time word (王芳三岁, 王芳明天); so does a
    three-character one with a compound surname (欧阳娜 in 欧阳娜娜).
    """
    inside = {p for s, e, _ in known for p in range(s + 1, e)}
    out: list[_S] = []
    for m in _HAN_RUN.finditer(text):
        run_start, run = m.start(), m.group()
        n = len(run)
        i = 0
        while i < n - 1:
            start, w = run_start + i, 0
            if start not in inside:
                w = next((w for w in (4, 3, 2) if i + w <= n and run[i:i + w] in lexicon
                          and _stands_as_name(text, start, start + w)), 0)
            if not w:
                i += 1
                continue
            end = start + w
            if i + w < n and (w == 2 or w == 3 and run[i:i + 2] in COMPOUND_SURNAMES) \
                    and run[i + w] in _GIVEN and not _fact_at(text, end) and _right_ok(text, end + 1):
                end += 1
            out.append((start, end, "NAME"))
            i = end - run_start
    return out


class _Names(Recognizer):
    kind, placeholder, priority, order = "NAME", "〔姓名〕", PLAIN, 1

    def find(self, text: str, ctx: Context) -> list[_S]:
        known = [n for n in ctx.known_names if n and len(n) >= 2]
        for n in known[:]:
            if len(n) >= 3:
                # the given name of a known person alone (子涵 for 张子涵, 娜娜 for 欧阳娜娜)
                given = n[2:] if len(n) == 4 or n[:2] in COMPOUND_SURNAMES else n[1:]
                if len(given) >= 2 and given in text and given not in NOT_NAMES and given not in known:
                    known.append(given)
        exact = _known_names(text, known)
        detected = _names(text)
        if exact or detected:
            detected += _listed_names(text, exact + detected)
        if ctx.found:  # a phone or an ID number: a name may stand before it
            detected += _clause_names(text, ctx.found)
        if ctx.lexicon:
            exact += _lexicon_names(text, ctx.lexicon, exact)
        return exact + _clipped(text, detected, exact)


RECOGNIZER = _Names()
